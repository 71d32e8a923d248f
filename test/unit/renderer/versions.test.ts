import { describe, expect, it } from 'vitest';
import { heldBytes, releaseUnneeded, settleVersions, wholeAudio, type CompactVersion, type FillLink, type Versions } from '../../../src-renderer/lib/versions';
import type { TrackAudio } from '../../../src-shared/ipc/contract';

const FRAMES = 5000;
const audio = (blob: string, channels: Float32Array[]): TrackAudio => ({
  blob,
  sampleRate: 8000,
  channelCount: channels.length,
  frames: FRAMES,
  durationSeconds: FRAMES / 8000,
  channels,
  waveform: { version: 2, channels: channels.length, sampleRate: 8000, samplesPerPixel: 256, length: 0, bits: 8, bytes: new Int8Array(0) } as unknown as TrackAudio['waveform'],
});

/** A seeded generator (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('versions held by the window', () => {
  it('keeps one whole copy per shown track however many fills are accepted, undone and redone, and every version reads back exactly', () => {
    const rand = rng(7);
    const truth = new Map<string, Float32Array[]>();
    const links: FillLink[] = [];
    // two tracks; a history of which version each shows (undo/redo walk it)
    const start = (id: string) => {
      const ch = [0, 1].map(() => Float32Array.from({ length: FRAMES }, () => rand() - 0.5));
      truth.set(id, ch.map((c) => c.slice())); // (held buffers change hands and contents: keep the truth apart)
      return ch;
    };
    let v: Versions = { whole: new Map([['a0', audio('a0', start('a0'))], ['b0', audio('b0', start('b0'))]]), compact: new Map() };
    const history: [string, string][] = [['a0', 'b0']];
    let at = 0;
    let made = 0;
    for (let step = 0; step < 120; step++) {
      const r = rand();
      if (r < 0.25 && at > 0) at--; // undo
      else if (r < 0.4 && at < history.length - 1) at++; // redo
      else {
        // accept a fill on one track: a new version differing in one region
        const which = rand() < 0.5 ? 0 : 1;
        const base = history[at]![which];
        const held = wholeAudio(v, base)!;
        const s = Math.floor(rand() * (FRAMES - 300));
        const e = s + 1 + Math.floor(rand() * 300);
        const id = `${base[0]}${++made}`;
        const ch = held.channels.map((c) => {
          const out = c.slice();
          for (let i = s; i < e; i++) out[i] = rand();
          return out;
        });
        truth.set(id, ch.map((c) => c.slice()));
        links.push({ from: base, to: id, start: s, end: e });
        v = { whole: new Map([...v.whole, [id, audio(id, ch)]]), compact: v.compact };
        const next: [string, string] = which === 0 ? [id, history[at]![1]] : [history[at]![0], id];
        history.splice(at + 1, history.length, next); // a new edit drops the redo branch
        at++;
      }
      const shown = new Set(history[at]!);
      let copies = 0;
      v = settleVersions(v, links, shown, (x) => (copies++, x.channels.map((c) => c.slice())));
      // the shown versions are whole; nothing else is; and no whole copy was made for it
      // (undo and redo swap the frames that differ in the one buffer each track has)
      expect(new Set(v.whole.keys())).toEqual(shown);
      expect(copies).toBe(0);
      // every version ever made reads back exactly
      for (const [id, ch] of truth) {
        const back = wholeAudio(v, id);
        expect(back, id).not.toBeNull();
        back!.channels.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.from(ch[i]!.buffer)), `${id} after step ${step}`).toBe(0));
      }
      // compact versions hold only their regions: far less than a whole copy each
      const compactFrames = [...v.compact.values()].reduce((n, c) => n + c.spans.reduce((m, s) => m + (s.samples[0]?.length ?? 0), 0), 0);
      expect(compactFrames).toBeLessThanOrEqual(links.length * 300 * truth.size);
    }
    expect(made).toBeGreaterThan(20);
  });

  it('copies a buffer only when two shown versions were kept against the same one', () => {
    const base = [new Float32Array(FRAMES).map((_, i) => Math.sin(i))];
    const one = [base[0]!.slice().fill(0.5, 100, 200)];
    const two = [base[0]!.slice().fill(-0.5, 300, 400)];
    const links: FillLink[] = [
      { from: 'base', to: 'one', start: 100, end: 200 },
      { from: 'base', to: 'two', start: 300, end: 400 },
    ];
    const held = (ch: Float32Array[]) => ch.map((c) => c.slice()); // (held buffers change contents: compare with the originals)
    let v: Versions = { whole: new Map([['base', audio('base', held(base))], ['one', audio('one', held(one))], ['two', audio('two', held(two))]]), compact: new Map() };
    v = settleVersions(v, links, new Set(['base']));
    expect([...v.whole.keys()]).toEqual(['base']);
    let copies = 0;
    v = settleVersions(v, links, new Set(['one', 'two']), (x) => (copies++, x.channels.map((c) => c.slice())));
    expect(copies).toBe(1);
    expect(wholeAudio(v, 'one')!.channels[0]).toEqual(one[0]);
    expect(wholeAudio(v, 'two')!.channels[0]).toEqual(two[0]);
    expect(wholeAudio(v, 'base')!.channels[0]).toEqual(base[0]);
  });

  it('leaves versions that no accepted fill relates to a shown one as they are (job outputs, removed tracks)', () => {
    const ch = [new Float32Array(FRAMES).fill(0.1)];
    const v: Versions = { whole: new Map([['x', audio('x', ch)], ['y', audio('y', [ch[0]!.slice()])], ['out', audio('out', [new Float32Array(10)])]]), compact: new Map() };
    const settled = settleVersions(v, [{ from: 'x', to: 'y', start: 10, end: 20 }], new Set(['other']));
    expect([...settled.whole.keys()].sort()).toEqual(['out', 'x', 'y']);
    expect(settled.compact.size).toBe(0);
  });
});

describe('letting go of versions nothing needs', () => {
  const whole = (blob: string) => audio(blob, [new Float32Array(FRAMES), new Float32Array(FRAMES)]); // 40,000 bytes
  const compactOf = (blob: string, of: string): [string, CompactVersion] => {
    const { channels: _c, ...rest } = whole(blob);
    return [blob, { of, spans: [{ at: 10, samples: [new Float32Array(100), new Float32Array(100)] }], audio: rest }];
  };
  const SIZE = 2 * FRAMES * 4;
  const v: Versions = {
    whole: new Map(['shown', 'deleted-long-ago', 'deleted-just-now', 'alternative'].map((b) => [b, whole(b)])),
    compact: new Map([compactOf('before-fill', 'shown'), compactOf('fill-on-deleted', 'deleted-long-ago')]),
  };
  const lastShown = new Map([['shown', 9], ['deleted-long-ago', 2], ['deleted-just-now', 8], ['fill-on-deleted', 3]]);
  const keep = new Set(['shown', 'alternative']);

  it('keeps everything while what nothing needs fits the budget, and returns the same versions', () => {
    const r = releaseUnneeded(v, keep, lastShown, 10 * SIZE);
    expect(r.released).toEqual([]);
    expect(r.versions).toBe(v);
  });

  it('lets go of the least recently shown first, each whole version with the compact ones made of it, until within the budget', () => {
    const r = releaseUnneeded(v, keep, lastShown, SIZE);
    expect(r.released).toEqual(['deleted-long-ago', 'fill-on-deleted']);
    expect([...r.versions.whole.keys()].sort()).toEqual(['alternative', 'deleted-just-now', 'shown']);
    expect([...r.versions.compact.keys()]).toEqual(['before-fill']); // made of a shown version: kept
    const none = releaseUnneeded(v, keep, lastShown, 0);
    expect(none.released.sort()).toEqual(['deleted-just-now', 'deleted-long-ago', 'fill-on-deleted']);
    expect(heldBytes(none.versions, 'shown')).toBe(SIZE);
    expect(wholeAudio(none.versions, 'before-fill')).not.toBeNull(); // still readable
  });

  it('never lets go of what is kept, nor of the whole version a kept compact one is made of', () => {
    const r = releaseUnneeded(v, new Set(['shown', 'alternative', 'fill-on-deleted']), lastShown, 0);
    expect(r.released).toEqual(['deleted-just-now']);
    expect(wholeAudio(r.versions, 'fill-on-deleted')).not.toBeNull();
    expect(releaseUnneeded(v, new Set([...v.whole.keys()]), new Map(), 0).released).toEqual([]);
  });
});
