import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { EMPTY_PROJECT, newTrack } from '../../../src-shared/project/doc';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHandlers, exportPathsIn, safeFileName } from '../../../src-main/services';
import { ProjectStore } from '../../../src-main/project/store';
import type { EngineHost } from '../../../src-main/engine';
import type { JobEvent, ProgressEvent } from '../../../src-shared/ipc/contract';
import type { JobRequest } from '../../../src-shared/engine/jobs';
import type { EngineProgress } from '../../../src-shared/engine/progress';
import { CodedError } from '../../../src-shared/ipc/result';

function setup(host: 'web' | 'electron' = 'web') {
  const store = new ProjectStore(mkdtempSync(join(tmpdir(), 'pnf-svc-')));
  const events: ProgressEvent[] = [];
  const ctx = { emit: (_name: string, e: unknown) => events.push(e as ProgressEvent) };
  const h = createHandlers({
    host,
    version: '0',
    store,
    engine: {} as EngineHost,
    ...exportPathsIn(join(store.dir, 'exports')),
    reveal: async () => true,
  });
  return { store, h, events, ctx };
}

/** Handlers over a fresh project and an engine that only records what it is sent; `onEvent` plays the engine's answers. */
function withFakeEngine() {
  const sent: JobRequest[] = [];
  const emitted: JobEvent[] = [];
  let engineCallback: (e: EngineProgress) => void = () => {};
  const store = new ProjectStore(mkdtempSync(join(tmpdir(), 'pnf-svc-')));
  const h = createHandlers({
    host: 'web',
    version: '0',
    store,
    engine: { submit: (r: JobRequest, cb: (e: EngineProgress) => void) => (sent.push(r), (engineCallback = cb), { jobId: 'j1' }) } as unknown as EngineHost,
    chooseExportPath: async () => null,
    reveal: async () => true,
  });
  return { store, h, sent, emitted, onEvent: (e: EngineProgress) => engineCallback(e) };
}

describe('services', () => {
  it('export: progress is monotonic and ends with done; files never overwrite each other', async () => {
    const { store, h, events, ctx } = setup();
    const blob = await store.putAudio({ sampleRate: 16000, channels: [new Float32Array(16000).fill(0.25)] });
    const a = await h['export:wav']({ blob, name: 'take.wav', format: 'pcm24', sampleRate: 22050 }, ctx);
    const b = await h['export:wav']({ blob, name: 'take.wav', format: 'pcm16' }, ctx);
    expect(a.path).not.toBe(b.path);
    expect(readdirSync(join(store.dir, 'exports')).sort()).toEqual(['take (2).wav', 'take.wav']);
    const wav = readFileSync(a.path);
    expect(wav.readUInt32LE(24)).toBe(22050);
    expect(wav.readUInt16LE(34)).toBe(24);
    const first = events.filter((e) => e.id === events[0]!.id);
    for (let i = 1; i < first.length; i++) expect(first[i]!.fraction).toBeGreaterThanOrEqual(first[i - 1]!.fraction);
    expect(first.at(-1)).toMatchObject({ fraction: 1, done: true });
    expect(first.filter((e) => e.done)).toHaveLength(1);
    // two exports of one name at the same time (nothing on disk yet for either): each its own file
    const [c, d] = await Promise.all([
      h['export:wav']({ blob, name: 'mix.wav', format: 'pcm16' }, ctx),
      h['export:wav']({ blob, name: 'mix.wav', format: 'float32' }, ctx),
    ]);
    expect(c.path).not.toBe(d.path);
    expect(readFileSync(c.path).length).toBe(c.bytes);
    expect(readFileSync(d.path).length).toBe(d.bytes);
  });

  it('a failed export gives its name back: the next export of that name gets it, not "(2)"', async () => {
    const { store, h, ctx } = setup();
    const blob = await store.putAudio({ sampleRate: 16000, channels: [new Float32Array(1600).fill(0.25)] });
    await expect(h['export:wav']({ blob: 'b'.repeat(64), name: 'take.wav', format: 'pcm16' }, ctx)).rejects.toThrow();
    const ok = await h['export:wav']({ blob, name: 'take.wav', format: 'pcm16' }, ctx);
    expect(ok.path).toBe(join(store.dir, 'exports', 'take.wav'));
    expect(readdirSync(join(store.dir, 'exports'))).toEqual(['take.wav']);
  });

  it('export never writes over a file the user opened (by any name) or into the project folder', async () => {
    const { encodeWav } = await import('../../../src-main/io/wav-encode');
    const store = new ProjectStore(mkdtempSync(join(tmpdir(), 'pnf-svc-')));
    const home = mkdtempSync(join(tmpdir(), 'pnf-home-'));
    const take = join(home, 'take.wav');
    const original = encodeWav({ sampleRate: 8000, channels: [new Float32Array(800).fill(0.25)] }, { format: 'pcm24', dither: false });
    writeFileSync(take, original);
    symlinkSync(take, join(home, 'link.wav'));
    let chosen = '';
    const h = createHandlers({ host: 'electron', version: '0', store, engine: {} as EngineHost, chooseExportPath: async () => chosen, reveal: async () => true });
    const ctx = { emit: () => {} };
    const t = await h['audio:import']({ kind: 'path', path: take }, ctx);
    for (const path of [take, join(home, 'link.wav'), join(home, '.', 'take.wav'), join(store.dir, 'blobs', 'x.wav'), join(store.dir, 'project.json')]) {
      chosen = path;
      await expect(h['export:wav']({ blob: t.blob, name: 'take.wav', format: 'pcm16' }, ctx), path).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^Not exported: .*(a file you opened|inside the project folder)/) });
    }
    expect(Buffer.compare(readFileSync(take), Buffer.from(original))).toBe(0);
    expect(existsSync(join(store.dir, 'project.json'))).toBe(false);
    chosen = join(home, 'take (2).wav');
    await expect(h['export:wav']({ blob: t.blob, name: 'take.wav', format: 'pcm16' }, ctx)).resolves.toMatchObject({ path: chosen });
    // the next session of this project (the app restarted) still knows the file came from there
    const next = createHandlers({ host: 'electron', version: '0', store: new ProjectStore(store.dir), engine: {} as EngineHost, chooseExportPath: async () => take, reveal: async () => true });
    await expect(next['export:wav']({ blob: t.blob, name: 'take.wav', format: 'pcm16' }, ctx)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/a file you opened/) });
    expect(Buffer.compare(readFileSync(take), Buffer.from(original))).toBe(0);
    // a damaged list is read as none: the editor still starts and exports
    writeFileSync(join(store.dir, 'opened-files.json'), '{"not": "a list"');
    const elsewhere = join(home, 'other.wav');
    const damaged = createHandlers({ host: 'electron', version: '0', store: new ProjectStore(store.dir), engine: {} as EngineHost, chooseExportPath: async () => elsewhere, reveal: async () => true });
    await expect(damaged['export:wav']({ blob: t.blob, name: 'take.wav', format: 'pcm16' }, ctx)).resolves.toMatchObject({ path: elsewhere });
  });

  it('accept-fill stores exactly what the editor computes from the audio it holds, and sends no samples', async () => {
    const { store, h, ctx } = setup();
    const { encodeWav } = await import('../../../src-main/io/wav-encode');
    const { acceptFill } = await import('../../../src-shared/audio/splice');
    const sr = 22050;
    const src = [0, 1].map((c) => new Float32Array(sr).map((_, i) => Math.round(8000 * Math.sin(i * 0.05 + c)) / 32768));
    const imported = await h['audio:import']({ kind: 'bytes', name: 'take.wav', bytes: new Uint8Array(encodeWav({ sampleRate: sr, channels: src }, { format: 'pcm16', dither: false })) }, ctx);
    const patch = [0, 1].map(() => new Float32Array(3000).map((_, i) => 0.3 * Math.cos(i * 0.3)));
    const fill = await store.putAudio({ sampleRate: sr, channels: patch });
    const req = { base: imported.blob, fill, start: 0.25, end: 0.3, fillOffset: 5000 };
    const r = await h['edit:accept-fill'](req, ctx);
    expect(r).toEqual({ blob: r.blob, sampleRate: sr, channelCount: 2, frames: sr, durationSeconds: 1 });
    expect('channels' in r).toBe(false);
    // what the editor holds: the audio as imported and the fill as received
    const shown = acceptFill(imported.channels, (await h['audio:get']({ blob: fill }, ctx)).channels, 5000, 0.25, 0.3, sr);
    const stored = (await h['audio:get']({ blob: r.blob }, ctx)).channels;
    stored.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.from(shown[i]!.buffer))).toBe(0));
    expect(stored[0]![Math.floor(0.27 * sr)]).toBe(patch[0]![Math.floor(0.27 * sr) - 5000]);
    // a fill that does not cover the region, or does not match the track, is refused
    await expect(h['edit:accept-fill']({ ...req, fillOffset: 6000 }, ctx)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(h['edit:accept-fill']({ ...req, start: 0.99, end: 1.5 }, ctx)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const mono = await store.putAudio({ sampleRate: sr, channels: [patch[0]!] });
    await expect(h['edit:accept-fill']({ ...req, fill: mono }, ctx)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // a version of a track is not a fill
    await expect(h['edit:accept-fill']({ ...req, fill: r.blob }, ctx)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // a region wholly outside the track is refused in the user's numbers (it used to make an unchanged new version)
    await expect(h['edit:accept-fill']({ ...req, start: 100, end: 101 }, ctx)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'The fill was not applied. The region 100–101 s is not inside the track, which runs from 0 to 1 s. Select a stretch inside it.',
    });
  });

  it('an accepted fill is stored as a small recipe, not another copy of the track; fills stack and survive a restart', async () => {
    const { store, h, ctx } = setup();
    const { acceptFill } = await import('../../../src-shared/audio/splice');
    const sr = 8000;
    const long = [0, 1].map((c) => new Float32Array(sr * 40).map((_, i) => 0.5 * Math.sin(i * 0.01 + c)));
    const base = await store.putAudio({ sampleRate: sr, channels: long });
    const before = readdirSync(join(store.dir, 'blobs')).length;
    const patch = (v: number) => [0, 1].map(() => new Float32Array(2000).fill(v));
    const fill1 = await store.putAudio({ sampleRate: sr, channels: patch(0.1) });
    const fill2 = await store.putAudio({ sampleRate: sr, channels: patch(-0.2) });
    const first = await h['edit:accept-fill']({ base, fill: fill1, start: 10, end: 10.1, fillOffset: 10 * sr - 500 }, ctx);
    const second = await h['edit:accept-fill']({ base: first.blob, fill: fill2, start: 10.05, end: 10.2, fillOffset: 10 * sr }, ctx);
    expect(second).toMatchObject({ sampleRate: sr, channelCount: 2, frames: 40 * sr });
    const added = readdirSync(join(store.dir, 'blobs')).slice(before).length;
    expect(added).toBe(4); // two fills, two recipes: no new copy of the track
    for (const id of [first.blob, second.blob]) expect(readFileSync((await store.blobPath(id))!).byteLength).toBeLessThan(1024);
    // what the editor computes, one accept after the other
    const shown = acceptFill(acceptFill(long, patch(0.1), 10 * sr - 500, 10, 10.1, sr), patch(-0.2), 10 * sr, 10.05, 10.2, sr);
    // read back by a new session: the same samples, and a waveform as if summarised afresh
    const { summarize } = await import('../../../src-shared/audio/waveform');
    const reopened = new ProjectStore(store.dir);
    const again = await reopened.getAudio(second.blob);
    again.channels.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.from(shown[i]!.buffer))).toBe(0));
    expect(Buffer.from(again.waveform.bytes)).toEqual(Buffer.from(summarize(shown, sr).bytes));
    // the versions before are unchanged (undo goes back to them)
    const b0 = (await reopened.getAudio(base)).channels[0]!;
    expect(Buffer.compare(Buffer.from(b0.buffer, b0.byteOffset, b0.byteLength), Buffer.from(long[0]!.buffer))).toBe(0);
    expect((await reopened.getAudio(first.blob)).channels[0]![Math.floor(10.15 * sr)]).toBe(long[0]![Math.floor(10.15 * sr)]);
    // a new session accepts onto a version it has not read yet
    const h2 = createHandlers({ host: 'web', version: '0', store: reopened, engine: {} as EngineHost, chooseExportPath: async () => null, reveal: async () => true });
    await expect(h2['edit:accept-fill']({ base: second.blob, fill: fill1, start: 30, end: 30.1, fillOffset: 30 * sr }, ctx)).resolves.toMatchObject({ frames: 40 * sr });
  }, 120_000); // a guard, not a measure: 40 s of 44.1 kHz audio, slow beside other work

  it("a result that cannot be stored fails its job with the store's own reason, not always 'disk full'", async () => {
    const { store, h, emitted, onEvent } = withFakeEngine();
    const blob = await store.putAudio({ sampleRate: 16000, channels: [new Float32Array(1600)] });
    await h['job:start']({ kind: 'upsample', blob, targetRate: 32000, options: {} }, { emit: (_n: string, e: unknown) => emitted.push(e as JobEvent) });
    store.putAudio = async () => {
      throw new CodedError('UNREADABLE', 'PnF Studio is not allowed to write in the project folder.');
    };
    onEvent({ status: 'done', jobId: 'j1', result: { kind: 'upsample', tracks: { audio: [new Float32Array(10)] }, sampleRate: 32000, reports: [], device: 'cpu', model: [], preset: 'draft', levels: 1, stepsPerLevel: 1, etaScale: 0.05, seed: 1, seconds: 0, sampleUpdates: 0, notes: [] } });
    await expect.poll(() => emitted.length).toBe(1);
    expect(emitted[0]).toMatchObject({ status: 'failed', code: 'UNREADABLE', message: 'The result could not be saved into the project: PnF Studio is not allowed to write in the project folder.' });
  });

  it("an upsample passes the clip's observation model on to the engine (low-pass or not), and leaves it out when not given", async () => {
    const { store, h, sent } = withFakeEngine();
    const blob = await store.putAudio({ sampleRate: 8000, channels: [new Float32Array(800)] });
    const ctx0 = { emit: () => undefined };
    await h['job:start']({ kind: 'upsample', blob, targetRate: 16000, lowpass: true, options: {} }, ctx0);
    await h['job:start']({ kind: 'upsample', blob, targetRate: 16000, lowpass: false, options: {} }, ctx0);
    await h['job:start']({ kind: 'upsample', blob, targetRate: 16000, options: {} }, ctx0);
    expect(sent.map((r) => (r as Extract<JobRequest, { kind: 'upsample' }>).lowpass)).toEqual([true, false, undefined]);
    expect('lowpass' in sent[2]!).toBe(false);
  });

  it('a fill sends the engine only the audio around its region, and puts previews and the result back in place', async () => {
    const { store, h, sent, emitted, onEvent } = withFakeEngine();
    const sr = 44100;
    const track = new Float32Array(sr * 60).map((_, i) => Math.sin(i * 0.01));
    const blob = await store.putAudio({ sampleRate: sr, channels: [track] });
    const ctx0 = { emit: (_n: string, e: unknown) => emitted.push(e as JobEvent) };
    await h['job:start']({ kind: 'inpaint', blob, regions: [{ start: 30, end: 30.1 }], alternatives: 1, source: 'voice', options: {} }, ctx0);
    // a gap outside the track is refused at the start, in the track's own numbers (not the excerpt's)
    for (const [start, end, says] of [[59.5, 61, 'The region 59.5–61 s is not inside the track, which runs from 0 to 60 s'], [70, 71, 'The region 70–71 s is not inside'], [2, 1, 'its end must come after its start']] as const) {
      await expect(h['job:start']({ kind: 'inpaint', blob, regions: [{ start, end }], alternatives: 1, source: 'voice', options: {} }, ctx0)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(says) });
    }
    expect(sent).toHaveLength(1);
    const req = sent[0] as Extract<JobRequest, { kind: 'inpaint' }>;
    const from = 29 * sr; // one second before the region
    expect(req.audio.channels[0]!.length).toBe(Math.ceil(30.1 * sr) + sr - from);
    expect(req.audio.channels[0]!.buffer.byteLength).toBe(req.audio.channels[0]!.byteLength); // a copy, not a view of the hour
    expect(req.audio.channels[0]![0]).toBe(track[from]);
    expect(req.regions[0]!.start).toBeCloseTo(1, 9);
    expect(req.regions[0]!.end).toBeCloseTo(1.1, 9);
    onEvent({ status: 'preview', jobId: 'j1', track: 'alt1', channel: 0, samples: new Float32Array(4), start: 16000, sampleRate: 16000 });
    expect((emitted[0] as { start: number }).start).toBeCloseTo(16000 + 29 * 16000, 6); // model-rate timeline of the whole track
    onEvent({ status: 'done', jobId: 'j1', result: { kind: 'inpaint', tracks: { alt1: [new Float32Array(10)] }, offset: 500, sampleRate: sr, reports: [], device: 'cpu', model: [], preset: 'draft', levels: 1, stepsPerLevel: 1, etaScale: 0.05, seed: 1, seconds: 0, sampleUpdates: 0, notes: [] } });
    await expect.poll(() => emitted.length).toBe(2);
    expect(emitted[1]).toMatchObject({ status: 'done', summary: { offset: from + 500 } });
  });

  it('saving reports the shown versions the project folder lost; the editor writes them back and export works again', async () => {
    const { store, h, ctx } = setup();
    const audio = { sampleRate: 8000, channels: [new Float32Array(800).map((_, i) => Math.cos(i / 7) / 3)] };
    const blob = await store.putAudio(audio);
    const doc = { ...EMPTY_PROJECT, tracks: [newTrack('t1', 'take', '#4cc9f0', { blob, sampleRate: 8000, channelCount: 1, frames: 800 }, { kind: 'import', file: 'take.wav' })] };
    expect((await h['project:save']({ doc }, ctx)).missing).toEqual([]);
    rmSync(store.dir, { recursive: true, force: true }); // the folder deleted while the editor shows the track
    await expect(h['export:wav']({ blob, name: 'take', format: 'float32' }, ctx)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h['project:save']({ doc }, ctx)).missing).toEqual([blob]);
    expect(await h['audio:restore']({ blob, ...audio }, ctx)).toEqual({ restored: true });
    expect(await h['audio:restore']({ blob, ...audio }, ctx)).toEqual({ restored: false });
    expect((await h['project:save']({ doc }, ctx)).missing).toEqual([]);
    const out = await h['export:wav']({ blob, name: 'take', format: 'float32' }, ctx);
    const wav = readFileSync(out.path);
    expect(new Float32Array(Uint8Array.from(wav.subarray(wav.length - 3200)).buffer)).toEqual(audio.channels[0]);
    expect((await store.load()).doc.tracks.map((t) => t.blob)).toEqual([blob]); // and the project opens whole again
  });

  it('reveal only shows files exported in this session', async () => {
    const { store, h, ctx } = setup('electron');
    const blob = await store.putAudio({ sampleRate: 8000, channels: [new Float32Array(800)] });
    const out = await h['export:wav']({ blob, name: 'x', format: 'float32' }, ctx);
    await expect(h['shell:reveal']({ path: out.path }, ctx)).resolves.toEqual({ revealed: true });
    await expect(h['shell:reveal']({ path: '/etc/passwd' }, ctx)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('the web host never imports by path; imports keep the original file untouched', async () => {
    const { h, ctx, store } = setup('web');
    await expect(h['audio:import']({ kind: 'path', path: '/etc/passwd' }, ctx)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { encodeWav } = await import('../../../src-main/io/wav-encode');
    const bytes = encodeWav({ sampleRate: 8000, channels: [new Float32Array(80).fill(0.5)] }, { format: 'pcm16', dither: false });
    const r = await h['audio:import']({ kind: 'bytes', name: 'dir/../take.wav', bytes: new Uint8Array(bytes) }, ctx);
    expect(r.name).toBe('take.wav');
    expect(r.frames).toBe(80);
    const src = join(store.dir, 'src.wav');
    writeFileSync(src, bytes);
    const e = setup('electron');
    await e.h['audio:import']({ kind: 'path', path: src }, e.ctx);
    expect(readFileSync(src)).toEqual(Buffer.from(bytes));
  });

  it('import: reports its main-side stages under the renderer\'s progress id, and nothing without one', async () => {
    const { h, events, ctx } = setup('web');
    const { encodeWav } = await import('../../../src-main/io/wav-encode');
    const bytes = new Uint8Array(encodeWav({ sampleRate: 8000, channels: [new Float32Array(8000).fill(0.5)] }, { format: 'pcm16', dither: false }));
    await h['audio:import']({ kind: 'bytes', name: 'take.wav', bytes }, ctx);
    expect(events).toEqual([]);
    await h['audio:import']({ kind: 'bytes', name: 'take.wav', bytes, progressId: 'open-1' }, ctx);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const e of events) {
      expect(e).toMatchObject({ id: 'open-1', done: false });
      expect(e.label).toMatch(/^Opening "take\.wav" \(16 kB\): .+…$/);
    }
    for (let i = 1; i < events.length; i++) expect(events[i]!.fraction).toBeGreaterThan(events[i - 1]!.fraction);
    expect(events.at(-1)!.fraction).toBeLessThan(1); // the renderer ends it when the answer is in
  });

  it('makes safe file names', () => {
    expect(safeFileName('a/b\\c:d*?.wav', '.wav')).toBe('a_b_c_d__.wav');
    expect(safeFileName('   ', '.wav')).toBe('track.wav');
    expect(safeFileName('voice – piano', '.wav')).toBe('voice – piano.wav');
  });
});
