// WAV writer: 16/24-bit PCM (TPDF dither by default) or 32-bit float, RIFF written here.
//
// * Clipping: samples are clamped to [-1, 1) of full scale before quantisation; NaN becomes 0.
// * Dither: TPDF (sum of two independent uniform variables, +-1 LSB peak) from a seeded
//   PRNG, so the same input and seed give byte-identical files. Not applied to float32.
// * Files over 4 GiB of data cannot be described by RIFF: refused with TOO_LARGE.

import { CodedError } from '../../src-shared/ipc/result';
import type { AudioData } from '../../src-shared/audio/types';

export interface EncodeWavOptions {
  format: 'pcm16' | 'pcm24' | 'float32';
  /** TPDF dither for pcm16 / pcm24 (default true). Ignored for float32. */
  dither?: boolean;
  /** PRNG seed for the dither (default 1). */
  seed?: number;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function encodeWav(audio: AudioData, opts: EncodeWavOptions): Uint8Array {
  const { sampleRate, channels } = audio;
  const nch = channels.length;
  if (nch < 1 || nch > 65535) throw new CodedError('BAD_REQUEST', `Cannot write WAV: ${nch} channels (need at least 1).`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) throw new CodedError('BAD_REQUEST', `Cannot write WAV: bad sample rate ${sampleRate}.`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new CodedError('BAD_REQUEST', 'Cannot write WAV: the channels have different lengths.');
  const bps = opts.format === 'pcm16' ? 2 : opts.format === 'pcm24' ? 3 : 4;
  const isFloat = opts.format === 'float32';
  const blockAlign = bps * nch;
  const dataBytes = frames * blockAlign;
  // WAVE_FORMAT_EXTENSIBLE is required for > 2 channels or > 16 bits by the spec; plain PCM/float
  // headers are read by more programs, so use extensible only where it is required.
  const extensible = nch > 2 || (!isFloat && bps > 2);
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  const factSize = isFloat ? 12 : 0; // fact chunk: recommended for non-PCM
  const headerBytes = 12 + 8 + fmtSize + factSize + 8;
  const total = headerBytes + dataBytes + (dataBytes & 1);
  if (total - 8 > 0xffffffff) {
    throw new CodedError('TOO_LARGE', `The audio is too long for a WAV file (${(dataBytes / 1e9).toFixed(1)} GB of samples; WAV holds at most 4 GB). Export a shorter selection.`);
  }
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const str = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[o + i] = s.charCodeAt(i);
  };
  str(0, 'RIFF');
  dv.setUint32(4, total - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, fmtSize, true);
  const tag = isFloat ? 3 : 1;
  dv.setUint16(20, extensible ? 0xfffe : tag, true);
  dv.setUint16(22, nch, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * blockAlign, true);
  dv.setUint16(32, blockAlign, true);
  dv.setUint16(34, bps * 8, true);
  let o = 36;
  if (extensible) {
    dv.setUint16(36, 22, true); // cbSize
    dv.setUint16(38, bps * 8, true); // valid bits
    const masks = [0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f];
    dv.setUint32(40, nch <= 8 ? masks[nch - 1]! : 0, true);
    dv.setUint16(44, tag, true); // SubFormat GUID: tag + KSDATAFORMAT tail
    [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71].forEach((x, i) => (out[46 + i] = x));
    o = 60;
  } else if (isFloat) {
    dv.setUint16(36, 0, true); // cbSize
    o = 38;
  }
  if (isFloat) {
    str(o, 'fact');
    dv.setUint32(o + 4, 4, true);
    dv.setUint32(o + 8, frames, true);
    o += 12;
  }
  str(o, 'data');
  dv.setUint32(o + 4, dataBytes, true);
  o += 8;

  if (isFloat) {
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < nch; c++, o += 4) {
        const v = channels[c]![i]!;
        dv.setFloat32(o, Number.isNaN(v) ? 0 : v === Infinity ? 1 : v === -Infinity ? -1 : v, true);
      }
    }
    return out;
  }
  const full = bps === 2 ? 32768 : 8388608;
  const dither = opts.dither !== false;
  const rnd = prng(opts.seed ?? 1);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++, o += bps) {
      let v = channels[c]![i]!;
      if (Number.isNaN(v)) v = 0;
      let x = v * full;
      if (dither) x += rnd() - rnd(); // TPDF, +-1 LSB
      let q = Math.round(x);
      if (q > full - 1) q = full - 1;
      else if (q < -full) q = -full;
      if (bps === 2) dv.setInt16(o, q, true);
      else {
        out[o] = q & 0xff;
        out[o + 1] = (q >> 8) & 0xff;
        out[o + 2] = (q >> 16) & 0xff;
      }
    }
  }
  return out;
}
