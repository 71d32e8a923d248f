import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectStore } from '../../../src-main/project/store';
import { edits, EMPTY_PROJECT, type TrackDoc } from '../../../src-shared/project/doc';
import { encodeWav } from '../../../src-main/io/wav-encode';

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

    writeFileSync(join(s.dir, 'project.json'), '{"version":1,"tracks":[{"id":"../x"');
    const damaged = await s.load();
    expect(damaged.doc).toEqual(EMPTY_PROJECT);
    expect(damaged.warnings[0]).toContain('could not be read');
    expect(readdirSync(s.dir).some((f) => f.startsWith('project.json.damaged-'))).toBe(true);
  });
});
