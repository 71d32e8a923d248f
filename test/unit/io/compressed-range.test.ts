// Reading a stretch of a FLAC, MP3 or Ogg Vorbis file without decoding the rest: bit-identical to decoding
// the whole file and slicing, or null (decode it whole) whenever that cannot be promised.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../../src-main/io/decode';
import { readFlacRange } from '../../../src-main/io/flac-range';
import { readMp3Range } from '../../../src-main/io/mp3-range';
import { readOggRange } from '../../../src-main/io/ogg-range';
import { EVAL_DIR, ffmpeg, makeWav, requireEvalDir, requireTool } from './helpers';

let dir: string;
beforeAll(() => {
  requireTool('ffmpeg');
  dir = mkdtempSync(join(tmpdir(), 'pnf-range-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

type ReadRange = typeof readFlacRange;

/**
 * Every stretch (the ends, frame edges, empty and out-of-range ones) is exactly the whole decode
 * sliced, or (where `nullOk`) null. Returns how many were read.
 */
async function checkStretches(path: string, read: ReadRange = readFlacRange, nullOk = false, tolerance = 0): Promise<number> {
  const whole = await decodeAudioFile(path);
  const n = whole.channels[0]!.length;
  let count = 0;
  const stretches = [[0, 100], [12345, 67890], [100000, 101152], [n - 5000, n], [n - 1, n + 10], [4096, 8192], [4095, 4097], [n / 2 - 7, n / 2 + 44100], [-20, 3], [500, 500], [1152 * 16, 1152 * 16 + 1]];
  for (const [from, to] of stretches) {
    const r = await read(path, from!, to!, n);
    if (r === null && nullOk) continue;
    expect(r, `stretch ${from}-${to}`).not.toBeNull();
    expect(r!.frames).toBe(n);
    expect(r!.sampleRate).toBe(whole.sampleRate);
    const a = Math.max(0, Math.min(n, Math.floor(from!)));
    const b = Math.max(a, Math.min(n, Math.ceil(to!)));
    r!.channels.forEach((c, i) => {
      const want = whole.channels[i]!.slice(a, b);
      if (tolerance === 0) expect(same(c, want), `stretch ${from}-${to}, channel ${i}`).toBe(true);
      else {
        expect(c.length, `stretch ${from}-${to}, channel ${i}`).toBe(want.length);
        expect(c.reduce((m, v, k) => Math.max(m, Math.abs(v - want[k]!)), 0), `stretch ${from}-${to}, channel ${i}`).toBeLessThanOrEqual(tolerance);
      }
    });
    count++;
  }
  return count;
}

describe('FLAC stretches', () => {
  it('are bit-identical to the whole decode sliced: 16-bit stereo, 24-bit mono, tiny blocks, near the ends', async () => {
    const cases: [string, string[]][] = [
      ['stereo16.flac', ['-f', 'lavfi', '-i', 'anoisesrc=d=30:c=pink:a=0.3:seed=7,aformat=channel_layouts=stereo', '-ar', '44100', '-sample_fmt', 's16']],
      ['mono24.flac', ['-f', 'lavfi', '-i', 'anoisesrc=d=12:c=white:a=0.2:seed=7', '-ar', '48000', '-ac', '1', '-sample_fmt', 's32', '-bits_per_raw_sample', '24']],
      ['small-blocks.flac', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=5', '-ar', '8000', '-frame_size', '192']],
    ];
    for (const [name, args] of cases) {
      const path = join(dir, name);
      ffmpeg([...args, path]);
      expect(await checkStretches(path)).toBe(11);
    }
  }, 60_000);

  it('are null (decode whole) when the file decoded to another length, is not FLAC, or has a header over 1 MiB', async () => {
    const path = join(dir, 'plain.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-ar', '16000', path]);
    const n = (await decodeAudioFile(path)).channels[0]!.length;
    expect(await readFlacRange(path, 0, 10, n)).not.toBeNull();
    expect(await readFlacRange(path, 0, 10, n - 1)).toBeNull(); // (a damaged part dropped by the whole decode)
    const wav = join(dir, 'a.wav');
    writeFileSync(wav, makeWav({ channels: 1, sampleRate: 16000, bits: 16, data: new Uint8Array(200) }));
    expect(await readFlacRange(wav, 0, 10, 100)).toBeNull();
    // a 1.5 MiB PADDING block right after STREAMINFO
    const b = readFileSync(path);
    const streamInfoWasLast = (b[4]! & 0x80) !== 0;
    const pad = Buffer.alloc(4 + 1.5 * 2 ** 20);
    pad[0] = 1 | (streamInfoWasLast ? 0x80 : 0);
    pad.writeUIntBE(1.5 * 2 ** 20, 1, 3);
    const padded = Buffer.concat([b.subarray(0, 42), pad, b.subarray(42)]);
    padded[4] = padded[4]! & 0x7f;
    const big = join(dir, 'big-header.flac');
    writeFileSync(big, padded);
    expect((await decodeAudioFile(big)).channels[0]!.length).toBe(n);
    expect(await readFlacRange(big, 0, 10, n)).toBeNull();
  });

  it('in a damaged or truncated file: null, or exact before the damage', async () => {
    const path = join(dir, 'damaged.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=20:c=pink:a=0.3:seed=7', '-ar', '44100', path]);
    const total = (await decodeAudioFile(path)).channels[0]!.length;
    const b = readFileSync(path);
    // scramble 64 bytes in the middle of the audio: the frame there fails its CRC
    for (let i = 0; i < 64; i++) b[Math.floor(b.length / 2) + i] = (b[Math.floor(b.length / 2) + i]! * 7 + 13) & 0xff;
    const damaged = join(dir, 'damaged-mid.flac');
    writeFileSync(damaged, b);
    const cut = join(dir, 'truncated.flac');
    writeFileSync(cut, readFileSync(path).subarray(0, Math.floor(b.length * 0.7)));
    for (const file of [damaged, cut]) {
      const whole = await decodeAudioFile(file);
      expect(whole.channels[0]!.length).toBeLessThan(total); // the decoder left the damaged part out
      expect(await checkStretches(file, readFlacRange, true)).toBe(0); // so no stretch is read on its own
      // even told the file decoded whole, a stretch over the damage is refused, one before it is exact
      const over = file === damaged ? [total / 2 - 20000, total / 2 + 20000] : [total - 100, total];
      expect(await readFlacRange(file, over[0]!, over[1]!, total)).toBeNull();
      const early = await readFlacRange(file, 1000, 5000, total);
      expect(early && same(early.channels[0]!, whole.channels[0]!.slice(1000, 5000))).toBe(true);
    }
  }, 60_000);
});

describe('MP3 stretches', () => {
  it('are bit-identical to the whole decode sliced: CBR and VBR, stereo and mono, 44.1/48/32 kHz, with and without a gapless header', async () => {
    const noise = (rate: number, stereo: boolean) => ['-f', 'lavfi', '-i', `anoisesrc=d=25:c=pink:a=0.25:seed=7${stereo ? ',aformat=channel_layouts=stereo' : ''}`, '-ar', String(rate), '-c:a', 'libmp3lame'];
    const cases: [string, string[]][] = [
      ['cbr.mp3', [...noise(44100, true), '-b:a', '128k']],
      ['vbr.mp3', [...noise(44100, true), '-q:a', '4']],
      ['mono48.mp3', [...noise(48000, false), '-b:a', '96k']],
      ['mono48-32k.mp3', [...noise(48000, false), '-b:a', '32k']], // the reservoir reaches 7 frames back
      ['no-gapless-header.mp3', [...noise(32000, true), '-b:a', '160k', '-write_xing', '0']],
    ];
    for (const [name, args] of cases) {
      const path = join(dir, name);
      ffmpeg([...args, path]);
      await checkStretches(path, readMp3Range);
    }
  }, 120_000);

  it('are bit-identical on a real recording', async () => {
    requireEvalDir();
    await checkStretches(join(EVAL_DIR, 'piano/musopen_chopin_nocturne_op15no3.mp3'), readMp3Range);
  }, 60_000);

  it('of low-rate MPEG-2/2.5 files equal the whole decode but for a float\'s last bits: 8-24 kHz, CBR and VBR, down to 8 kbit/s (reservoirs 11 frames long)', async () => {
    const noise = (rate: number, stereo: boolean) => ['-f', 'lavfi', '-i', `anoisesrc=d=40:c=pink:a=0.25:seed=7${stereo ? ',aformat=channel_layouts=stereo' : ''}`, '-ar', String(rate), '-c:a', 'libmp3lame'];
    const cases: [string, string[]][] = [
      ['mpeg2-22k.mp3', [...noise(22050, false), '-b:a', '64k']],
      ['mpeg2-24k-stereo.mp3', [...noise(24000, true), '-b:a', '48k']],
      ['mpeg2-16k-vbr.mp3', [...noise(16000, false), '-q:a', '7']],
      ['mpeg25-8k.mp3', [...noise(8000, false), '-b:a', '8k']],
      ['mpeg2-16k-8kbps.mp3', [...noise(16000, false), '-b:a', '8k']], // 36-byte frames: the reservoir reaches 11 frames back
    ];
    for (const [name, args] of cases) {
      const path = join(dir, name);
      ffmpeg([...args, path]);
      expect(await checkStretches(path, readMp3Range, false, 1e-7)).toBe(11);
    }
  }, 120_000);

  it('are null (decode whole) for another decoded length, a damaged or truncated file, or not an MP3', async () => {
    const path = join(dir, 'plain.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=10:c=pink:a=0.25:seed=7', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', path]);
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
    const flac = join(dir, 'a.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', flac]);
    expect(await readMp3Range(flac, 0, 10, 44100)).toBeNull();
  }, 60_000);
});

// Test inputs are the same bytes every run: seeded noise, and no random Ogg stream serial (a
// damaged page must hit the same data each time; one random file once made the decoder fail).
const OGG_BITEXACT = ['-fflags', '+bitexact', '-flags:a', '+bitexact'];

describe('Ogg Vorbis stretches', () => {
  it('are bit-identical to the whole decode sliced: long and short pages, stereo and mono, 44.1/16/48 kHz', async () => {
    const noise = (rate: number, stereo: boolean) => ['-f', 'lavfi', '-i', `anoisesrc=d=25:c=pink:a=0.25:seed=7${stereo ? ',aformat=channel_layouts=stereo' : ''}`, '-ar', String(rate), '-c:a', 'libvorbis', ...OGG_BITEXACT];
    const cases: [string, string[]][] = [
      ['q5.ogg', [...noise(44100, true), '-q:a', '5']],
      ['small-pages.ogg', [...noise(16000, false), '-q:a', '2', '-page_duration', '100000']],
      ['q8-48k.ogg', [...noise(48000, true), '-q:a', '8']],
    ];
    for (const [name, args] of cases) {
      const path = join(dir, name);
      ffmpeg([...args, path]);
      expect(await checkStretches(path, readOggRange)).toBe(11);
    }
  }, 120_000);

  it('are bit-identical on a real recording', async () => {
    requireEvalDir();
    await checkStretches(join(EVAL_DIR, 'piano/salamander_c4_note.ogg'), readOggRange);
  }, 60_000);

  it('are null (decode whole) for another decoded length, damaged pages, or not an Ogg; exact or null when truncated', async () => {
    const path = join(dir, 'plain.ogg');
    ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=d=10:c=pink:a=0.25:seed=7', '-ar', '44100', '-c:a', 'libvorbis', '-page_duration', '200000', ...OGG_BITEXACT, path]);
    const n = (await decodeAudioFile(path)).channels[0]!.length;
    expect(await readOggRange(path, 0, 10, n)).not.toBeNull();
    expect(await readOggRange(path, 0, 10, n - 1)).toBeNull();
    const b = readFileSync(path);
    b.fill(0x55, Math.floor(b.length / 2), Math.floor(b.length / 2) + 400);
    const damaged = join(dir, 'damaged.ogg');
    writeFileSync(damaged, b);
    expect(await readOggRange(damaged, 0, 10, (await decodeAudioFile(damaged)).channels[0]!.length)).toBeNull();
    const cut = join(dir, 'cut.ogg');
    writeFileSync(cut, readFileSync(path).subarray(0, Math.floor(b.length * 0.6)));
    await checkStretches(cut, readOggRange, true);
    const flac = join(dir, 'b.flac');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', flac]);
    expect(await readOggRange(flac, 0, 10, 44100)).toBeNull();
  }, 60_000);
});
