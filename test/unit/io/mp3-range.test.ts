// Reading a stretch of an MP3 without decoding the rest: bit-identical to decoding the whole
// file and slicing, or null (decode it whole) whenever that cannot be promised.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../../src-main/io/decode';
import { readMp3Range } from '../../../src-main/io/mp3-range';
import { EVAL_DIR, ffmpeg, requireEvalDir, requireTool } from './helpers';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'pnf-mp3-range-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** Every stretch is exactly the whole decode sliced. */
async function checkStretches(path: string): Promise<void> {
  const whole = await decodeAudioFile(path);
  const n = whole.channels[0]!.length;
  for (const [from, to] of [[0, 100], [5000, 9000], [100000, 101152], [n / 2 - 7, n / 2 + 44100], [n - 3000, n], [n - 1, n + 10], [-20, 3], [1152 * 16, 1152 * 16 + 1]]) {
    const r = await readMp3Range(path, from!, to!, n);
    expect(r, `stretch ${from}-${to}`).not.toBeNull();
    expect(r!.frames).toBe(n);
    expect(r!.sampleRate).toBe(whole.sampleRate);
    const a = Math.max(0, Math.min(n, Math.floor(from!)));
    const b = Math.max(a, Math.min(n, Math.ceil(to!)));
    r!.channels.forEach((c, i) => expect(same(c, whole.channels[i]!.slice(a, b)), `stretch ${from}-${to}, channel ${i}`).toBe(true));
  }
}

describe('MP3 stretches', () => {
  it('are bit-identical to the whole decode sliced: CBR and VBR, stereo and mono, 44.1/48/32 kHz, with and without a gapless header', async () => {
    const noise = (rate: number, stereo: boolean) => ['-f', 'lavfi', '-i', `anoisesrc=d=25:c=pink:a=0.25${stereo ? ',aformat=channel_layouts=stereo' : ''}`, '-ar', String(rate), '-c:a', 'libmp3lame'];
    const cases: [string, string[]][] = [
      ['cbr.mp3', [...noise(44100, true), '-b:a', '128k']],
      ['vbr.mp3', [...noise(44100, true), '-q:a', '4']],
      ['mono48.mp3', [...noise(48000, false), '-b:a', '96k']],
      ['no-gapless-header.mp3', [...noise(32000, true), '-b:a', '160k', '-write_xing', '0']],
    ];
    for (const [name, args] of cases) {
      const path = join(dir, name);
      ffmpeg([...args, path]);
      await checkStretches(path);
    }
  }, 120_000);

  it('are bit-identical on a real recording', async () => {
    requireEvalDir();
    await checkStretches(join(EVAL_DIR, 'piano/musopen_chopin_nocturne_op15no3.mp3'));
  }, 60_000);

  it('are null (decode whole) for another decoded length, a damaged or truncated file, MPEG-2, or not an MP3', async () => {
    const path = join(dir, 'plain.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=10:c=pink:a=0.25', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', path]);
    const n = (await decodeAudioFile(path)).channels[0]!.length;
    expect(await readMp3Range(path, 0, 10, n)).not.toBeNull();
    expect(await readMp3Range(path, 0, 10, n - 1152)).toBeNull();
    const cut = join(dir, 'cut.mp3');
    writeFileSync(cut, readFileSync(path).subarray(0, 100_000));
    expect(await readMp3Range(cut, 0, 10, (await decodeAudioFile(cut)).channels[0]!.length)).toBeNull();
    const b = readFileSync(path);
    b.fill(0x55, 60_000, 60_400); // a run of junk where frames were: the whole decode loses them
    const damaged = join(dir, 'damaged.mp3');
    writeFileSync(damaged, b);
    expect(await readMp3Range(damaged, 0, 10, (await decodeAudioFile(damaged)).channels[0]!.length)).toBeNull();
    const low = join(dir, 'mpeg2.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=5:c=pink:a=0.25', '-ar', '22050', '-c:a', 'libmp3lame', '-b:a', '64k', low]);
    expect(await readMp3Range(low, 0, 10, (await decodeAudioFile(low)).channels[0]!.length)).toBeNull();
    const flac = join(dir, 'a.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', flac]);
    expect(await readMp3Range(flac, 0, 10, 44100)).toBeNull();
  }, 60_000);
});
