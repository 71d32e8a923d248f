// Reading a stretch of a WAV file without the rest: exactly the whole decode, sliced.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile, readWavRange } from '../../../src-main/io/decode';
import { makeWav, pack } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'pnf-wav-range-'));
let n = 0;
const file = (bytes: Uint8Array, ext = 'wav') => {
  const p = join(dir, `f${n++}.${ext}`);
  writeFileSync(p, bytes);
  return p;
};
const ramp = (len: number, scale: number, c: number) => Array.from({ length: len }, (_, i) => Math.round(((i * 37 + c * 11) % 200) * scale - 100 * scale));

async function expectSameAsWholeDecode(path: string, ranges: [number, number][]) {
  const whole = await decodeAudioFile(path);
  const frames = whole.channels[0]!.length;
  for (const [from, to] of ranges) {
    const part = await readWavRange(path, from, to);
    expect(part).not.toBeNull();
    expect(part!.sampleRate).toBe(whole.sampleRate);
    expect(part!.frames).toBe(frames);
    const a = Math.max(0, Math.min(frames, Math.floor(from)));
    const b = Math.max(a, Math.min(frames, Math.ceil(to)));
    part!.channels.forEach((c, i) => expect(Array.from(c)).toEqual(Array.from(whole.channels[i]!.subarray(a, b))));
  }
}

describe('readWavRange', () => {
  const ranges: [number, number][] = [[0, 10], [100, 357], [990, 1200], [-5, 3], [2000, 3000], [0, 1000]];
  it('gives exactly the whole decode sliced, for every sample format', async () => {
    await expectSameAsWholeDecode(file(makeWav({ channels: 2, bits: 16, data: pack([ramp(1000, 100, 0), ramp(1000, 90, 1)], 's16') })), ranges);
    await expectSameAsWholeDecode(file(makeWav({ channels: 1, bits: 24, data: pack([ramp(1000, 30000, 0)], 's24') })), ranges);
    await expectSameAsWholeDecode(file(makeWav({ channels: 3, bits: 8, data: pack([0, 1, 2].map((c) => ramp(1000, 1, c).map((v) => v + 128)), 'u8') })), ranges);
    const f = [0, 1].map((c) => ramp(1000, 0.004, c));
    await expectSameAsWholeDecode(file(makeWav({ channels: 2, bits: 32, tag: 3, data: pack(f, 'f32') })), ranges);
    await expectSameAsWholeDecode(file(makeWav({ channels: 2, bits: 64, tag: 3, extensible: true, data: pack(f, 'f64') })), ranges);
    await expectSameAsWholeDecode(file(makeWav({ channels: 1, bits: 8, tag: 7, data: Uint8Array.from({ length: 1000 }, (_, i) => i % 256) })), ranges);
  });

  it('agrees with the whole decode on odd files: truncated, data before fmt, unfinished header', async () => {
    const data = pack([ramp(1000, 100, 0)], 's16');
    await expectSameAsWholeDecode(file(makeWav({ data, declaredDataSize: 4000 })), ranges); // header promises more than is there
    await expectSameAsWholeDecode(file(makeWav({ data, declaredDataSize: 0 })), ranges); // a recorder that never patched its header
    await expectSameAsWholeDecode(file(makeWav({ data: data.subarray(0, 1001) })), ranges); // a stray byte
    await expectSameAsWholeDecode(file(makeWav({ data, before: [{ id: 'LIST', body: new Uint8Array(301) }] })), ranges);
  });

  it('declines what it cannot read from the head (not a WAV; a header past its first MiB), and reports damage as the decoder does', async () => {
    expect(await readWavRange(file(new Uint8Array(64).fill(7), 'bin'), 0, 10)).toBeNull();
    const data = pack([ramp(1000, 100, 0)], 's16');
    const bigHeader = file(makeWav({ data, before: [{ id: 'junk', body: new Uint8Array(1.5 * 2 ** 20) }] }));
    expect(await readWavRange(bigHeader, 0, 10)).toBeNull();
    await expect(readWavRange(file(makeWav({ bits: 16, tag: 2, data })), 0, 10)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });

  it('an empty stretch gives the shape of a long file from its header alone', async () => {
    const long = new Uint8Array(2 * 44100 * 60 * 2); // a minute of 16-bit stereo silence
    const p = file(makeWav({ channels: 2, sampleRate: 44100, data: long }));
    const shape = await readWavRange(p, 0, 0);
    expect(shape).toMatchObject({ sampleRate: 44100, frames: 44100 * 60 });
    expect(shape!.channels.map((c) => c.length)).toEqual([0, 0]);
  });
});
