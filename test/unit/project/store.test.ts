import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectStore } from '../../../src-main/project/store';
import { edits, EMPTY_PROJECT, type TrackDoc } from '../../../src-shared/project/doc';
import { encodeWav } from '../../../src-main/io/wav-encode';
import { ffmpeg, requireTool } from '../io/helpers';
import { decodeAudioFile } from '../../../src-main/io/decode';

const fresh = () => new ProjectStore(mkdtempSync(join(tmpdir(), 'pnf-store-')));
const track = (blob: string): TrackDoc => ({
  id: 't1',
  name: 'take',
  colour: '#4cc9f0',
  gainDb: 0,
  muted: false,
  solo: false,
  blob,
  sampleRate: 8000,
  channelCount: 1,
  frames: 4,
  origin: { kind: 'import', file: 'take.wav' },
});

describe('ProjectStore', () => {
  it('stores editor audio losslessly (float WAV) and imported files bit-exact', async () => {
    const s = fresh();
    const audio = { sampleRate: 8000, channels: [Float32Array.from([0.1, -0.25, 1e-7, 0.999])] };
    const id = await s.putAudio(audio);
    const back = await s.getAudio(id);
    expect(Array.from(back.channels[0]!)).toEqual(Array.from(audio.channels[0]!));
    const wav = encodeWav({ sampleRate: 16000, channels: [new Float32Array(100).fill(0.5)] }, { format: 'pcm16', dither: false });
    const src = await s.putSource({ kind: 'bytes', bytes: wav }, 'wav');
    const file = await s.blobPath(src);
    expect(Buffer.compare(readFileSync(file!), Buffer.from(wav))).toBe(0);
    const srcPath = join(s.dir, 'original.wav');
    writeFileSync(srcPath, wav);
    const copied = await s.putSource({ kind: 'path', path: srcPath }, 'wav');
    expect((await s.getAudio(copied)).channels[0]!.length).toBe(100);
    expect(readFileSync(srcPath)).toEqual(Buffer.from(wav)); // the source is untouched
    expect(readdirSync(join(s.dir, 'blobs')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses hostile blob ids and reports missing audio plainly', async () => {
    const s = fresh();
    await expect(s.getAudio('../../etc/passwd')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(s.getAudio('abcdefgh-0000-missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("says which project file is damaged, without the decoder's advice about users' files", async () => {
    const s = fresh();
    const id = await s.putAudio({ sampleRate: 8000, channels: [new Float32Array(10)] });
    const path = (await s.blobPath(id))!;
    writeFileSync(path, 'not audio at all');
    const err = (await s.getAudio(id).then(
      () => null,
      (e: unknown) => e,
    )) as { code: string; message: string };
    expect(err).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    expect(err.message).toContain(`the project's copy of its audio (${path}) cannot be read: "${id}.wav" is not an audio file`);
    expect(err.message).toMatch(/If you still have the original file, open it again\.$/);
    expect(err.message).not.toContain('Convert it');
  });

  it('reads an accepted fill from its recipe, and says plainly when the recipe or what it names is damaged or gone', async () => {
    const s = fresh();
    const base = await s.putAudio({ sampleRate: 8000, channels: [new Float32Array(8000).fill(0.25)] });
    const fill = await s.putAudio({ sampleRate: 8000, channels: [new Float32Array(1000).fill(-0.5)] });
    const recipe = { kind: 'fill' as const, base, fill, fillOffset: 2000, start: 0.3, end: 0.35, sampleRate: 8000, channelCount: 1, frames: 8000 };
    const id = await s.putFillVersion(recipe);
    const read = (await s.getAudio(id)).channels[0]!;
    expect(read[2500]).toBe(-0.5);
    expect(read[1000]).toBe(0.25);
    expect(await s.isFillVersion(id)).toBe(true);
    expect(await s.isFillVersion(base)).toBe(false);
    expect(await new ProjectStore(s.dir).shapeOf(id)).toEqual({ sampleRate: 8000, channelCount: 1, frames: 8000 });
    const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });
    // a damaged recipe
    const path = (await s.blobPath(id))!;
    writeFileSync(path, '{"kind":"fill",');
    expect(await failure(s.getAudio(id))).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining(`(${path}) cannot be read: It is damaged.`) });
    // a recipe that does not fit what it names (a different length)
    const other = await s.putFillVersion({ ...recipe, frames: 7999 });
    expect(await failure(s.getAudio(other))).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('does not match') });
    // a chain that loops (only a hand-edited folder could make one)
    const loopId = 'abcdefgh-loop';
    writeFileSync(join(s.dir, 'blobs', `${loopId}.fill.json`), JSON.stringify({ ...recipe, base: loopId }));
    expect(await failure(s.getAudio(loopId))).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('loops') });
    // the fill or the base deleted
    const ok = await s.putFillVersion(recipe);
    rmSync((await s.blobPath(fill))!);
    expect(await failure(s.getAudio(ok))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('An accepted fill is missing') });
    rmSync((await s.blobPath(base))!);
    expect(await failure(s.getAudio(ok))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('finds the versions whose audio left the project folder, and writes them back from the editor without replacing anything', async () => {
    const s = fresh();
    const sr = 8000;
    const baseAudio = { sampleRate: sr, channels: [new Float32Array(8000).map((_, i) => Math.sin(i / 9) * 0.5)] };
    const base = await s.putSource({ kind: 'bytes', bytes: encodeWav(baseAudio, { format: 'float32' }) }, 'wav');
    const fill = await s.putAudio({ sampleRate: sr, channels: [new Float32Array(1000).fill(-0.5)] });
    const accepted = await s.putFillVersion({ kind: 'fill', base, fill, fillOffset: 2000, start: 0.3, end: 0.35, sampleRate: sr, channelCount: 1, frames: 8000 });
    const other = await s.putAudio({ sampleRate: sr, channels: [new Float32Array(10).fill(0.1)] });
    expect(await s.missingAudio([base, accepted, other, accepted])).toEqual([]);
    const shown = await s.getAudio(accepted); // what the editor holds

    // the fill the accepted version is made of goes: the version is missing, its base is not
    rmSync((await s.blobPath(fill))!);
    expect(await s.missingAudio([base, accepted, other])).toEqual([accepted]);
    // a version that can be read is never replaced
    const before = readFileSync((await s.blobPath(other))!);
    expect(await s.restoreAudio(other, { sampleRate: sr, channels: [new Float32Array(10).fill(0.9)] })).toBe(false);
    expect(readFileSync((await s.blobPath(other))!)).toEqual(before);
    expect(await s.restoreAudio(accepted, { sampleRate: sr, channels: shown.channels })).toBe(true);
    expect(await s.missingAudio([accepted])).toEqual([]);
    expect(Array.from((await new ProjectStore(s.dir).getAudio(accepted)).channels[0]!)).toEqual(Array.from(shown.channels[0]!));

    // the whole folder deleted: everything is missing, and writing back recreates the folder
    rmSync(s.dir, { recursive: true, force: true });
    expect(await s.missingAudio([base, accepted, other])).toEqual([base, accepted, other]);
    expect(await s.restoreAudio(base, baseAudio)).toBe(true);
    expect(await s.missingAudio([base, accepted, other])).toEqual([accepted, other]);
    expect(Array.from((await new ProjectStore(s.dir).getAudio(base)).channels[0]!)).toEqual(Array.from(baseAudio.channels[0]!));
    await expect(s.restoreAudio('../../etc/passwd', baseAudio)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('reads a stretch of a version exactly as the whole version sliced, fills straddling its edges included', async () => {
    const s = fresh();
    const sr = 8000;
    const frames = 4 * sr;
    const src = [0, 1].map((c) => new Float32Array(frames).map((_, i) => 0.5 * Math.sin(i * 0.013 + c)));
    const pcm = encodeWav({ sampleRate: sr, channels: src }, { format: 'pcm16', dither: false });
    // the same audio twice: read in stretches (a WAV), and decoded whole (its header is beyond the first MiB)
    const padded = new Uint8Array(pcm.length + 8 + 1.5 * 2 ** 20);
    padded.set(pcm.subarray(0, 36));
    padded.set([...'junk'].map((x) => x.charCodeAt(0)), 36);
    new DataView(padded.buffer).setUint32(40, 1.5 * 2 ** 20, true);
    padded.set(pcm.subarray(36), 44 + 1.5 * 2 ** 20);
    new DataView(padded.buffer).setUint32(4, padded.length - 8, true);
    for (const bytes of [pcm, padded]) {
      let version = await s.putSource({ kind: 'bytes', bytes }, 'wav');
      const fills: [number, number, number][] = [[1.0, 1.05, 0.1], [1.02, 1.3, -0.2], [3.9, 4.5, 0.3], [0, 0.01, -0.4]];
      for (const [start, end, v] of fills) {
        const offset = Math.floor(start * sr) - 40;
        const fill = await s.putAudio({ sampleRate: sr, channels: [0, 1].map(() => new Float32Array(Math.ceil((end - start) * sr) + 80).fill(v)) });
        version = await s.putFillVersion({ kind: 'fill', base: version, fill, fillOffset: offset, start, end, sampleRate: sr, channelCount: 2, frames });
      }
      const decodesBefore = s.wholeDecodesForStretches;
      const whole = (await s.getAudio(version)).channels;
      for (const [from, to] of [[0, 100], [7990, 8100], [8100, 8200], [8200, 12000], [30000, 40000], [-10, 5], [7000, 9000]]) {
        const part = await s.getAudioRange(version, from!, to!);
        expect(part).toMatchObject({ sampleRate: sr, frames });
        const a = Math.max(0, Math.min(frames, from!));
        const b = Math.min(frames, to!);
        part.channels.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.from(whole[i]!.slice(a, b).buffer))).toBe(0));
      }
      // a file read in stretches is never decoded whole; one that must be, once for all its stretches
      expect(s.wholeDecodesForStretches - decodesBefore).toBe(bytes === pcm ? 0 : 1);
    }
  }, 30_000);

  it('reads a stretch of a FLAC, MP3 or Ogg without decoding it whole once the file is known to decode completely', async () => {
    requireTool('ffmpeg');
    for (const format of ['flac', 'mp3', 'ogg'] as const) {
      const s = fresh();
      const path = join(s.dir, `take.${format}`);
      ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=8:c=pink:a=0.3:seed=7,aformat=channel_layouts=stereo', '-ar', '44100', ...(format === 'mp3' ? ['-c:a', 'libmp3lame'] : format === 'ogg' ? ['-c:a', 'libvorbis'] : []), path]);
      const sr = 44100;
      const frames = (await decodeAudioFile(path)).channels[0]!.length;
      const imported = await s.putSource({ kind: 'path', path }, format, { sampleRate: sr, channelCount: 2, frames });
      const unknown = await s.putSource({ kind: 'path', path }, format); // (not decoded in this session yet)
      const fill = await s.putAudio({ sampleRate: sr, channels: [0, 1].map(() => new Float32Array(6000).fill(0.25)) });
      const version = await s.putFillVersion({ kind: 'fill', base: imported, fill, fillOffset: sr - 400, start: 1, end: 1.1, sampleRate: sr, channelCount: 2, frames });
      for (const id of [imported, version, unknown]) {
        const whole = (await s.getAudio(id)).channels;
        for (const [from, to] of [[0, 500], [43000, 50000], [frames - 300, frames + 5]]) {
          const part = await s.getAudioRange(id, from!, to!);
          part.channels.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.from(whole[i]!.slice(from, Math.min(frames, to!)).buffer)), `${format} ${from}-${to}`).toBe(0));
        }
      }
      // (getAudio decoded `unknown` whole, which says it decodes completely: no whole decode for stretches either)
      expect(s.wholeDecodesForStretches).toBe(0);
      const s2 = new ProjectStore(s.dir); // a new session that has not decoded the file: once, for all its stretches
      await s2.getAudioRange(unknown, 0, 10);
      await s2.getAudioRange(unknown, 100, 200);
      expect(s2.wholeDecodesForStretches).toBe(1);
    }
  }, 120_000); // a guard, not a measure: about 10 s alone, over 30 s beside a busy benchmark

  it('saves and loads the document; sets a damaged file aside; leaves out tracks whose audio is gone', async () => {
    const s = fresh();
    expect((await s.load()).doc).toEqual(EMPTY_PROJECT);
    const id = await s.putAudio({ sampleRate: 8000, channels: [new Float32Array(4)] });
    const doc = edits.addTracks(EMPTY_PROJECT, [track(id)]);
    await s.save(doc);
    expect((await s.load()).doc).toEqual(doc);

    rmSync(join(s.dir, 'blobs'), { recursive: true });
    const gone = await s.load();
    expect(gone.doc.tracks).toEqual([]);
    expect(gone.warnings[0]).toContain('"take"');

    // a write a crash cut short leaves a temporary file (as large as the audio): the next open removes it
    const abandoned = `.${id}.wav.${2 ** 22 + 1}.0123456789ab.tmp`;
    mkdirSync(join(s.dir, 'blobs'));
    writeFileSync(join(s.dir, 'blobs', abandoned), 'half of an hour of audio');
    const longAgo = new Date(Date.now() - 24 * 3600_000); // (a recent one may be another machine's write in progress)
    utimesSync(join(s.dir, 'blobs', abandoned), longAgo, longAgo);
    await s.load();
    expect(readdirSync(join(s.dir, 'blobs'))).toEqual([]);

    writeFileSync(join(s.dir, 'project.json'), '{"version":1,"tracks":[{"id":"../x"');
    const damaged = await s.load();
    expect(damaged.doc).toEqual(EMPTY_PROJECT);
    expect(damaged.warnings[0]).toContain('could not be read');
    expect(readdirSync(s.dir).some((f) => f.startsWith('project.json.damaged-'))).toBe(true);
  });

  it('never takes a project or audio that is there but out of reach for an empty project or a missing track', async () => {
    // a file that cannot be looked at (here a symlink loop: ELOOP; elsewhere EACCES, EIO) must stop the
    // open (the window then stops saving), or the next autosave would drop what is still on disk
    const s = fresh();
    const id = await s.putAudio({ sampleRate: 8000, channels: [new Float32Array(4)] });
    await s.save(edits.addTracks(EMPTY_PROJECT, [track(id)]));
    const saved = readFileSync(join(s.dir, 'project.json'), 'utf8');
    const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });

    const blob = (await s.blobPath(id))!;
    const audio = readFileSync(blob);
    unlinkSync(blob);
    symlinkSync(blob, blob);
    const blobErr = await failure(s.load());
    expect(blobErr).toMatchObject({ code: 'UNREADABLE', message: expect.stringContaining(`The project file ${blob} cannot be read`) });
    expect(blobErr!.message).toContain('nothing in the project was changed');
    await expect(s.getAudio(id)).rejects.toMatchObject({ code: 'UNREADABLE' });
    unlinkSync(blob);
    writeFileSync(blob, audio);

    const doc = join(s.dir, 'project.json');
    unlinkSync(doc);
    symlinkSync(doc, doc);
    expect(await failure(s.load())).toMatchObject({ code: 'UNREADABLE', message: expect.stringContaining(`The project file ${doc} cannot be read`) });
    unlinkSync(doc);
    writeFileSync(doc, saved);
    expect((await s.load()).doc.tracks.map((t) => t.blob)).toEqual([id]);
  });
});
