// Sample-rate conversion with libsamplerate (WASM port), SRC_SINC_BEST_QUALITY.
//
// Output contract: exactly round(len * toRate / fromRate) frames per channel, time-aligned
// with the input (output sample k is the signal at time k / toRate).
//
// libsamplerate's `simple` call is aligned but the JS wrapper silently switches to chunked
// `full` calls (without end-of-input) for long inputs, which drops the last few hundred
// samples. So we drive the streaming `full` API ourselves in bounded chunks on one converter
// (state carries across calls, so chunk boundaries are seamless), then feed zeros to flush
// the filter's look-ahead, and cut the output to the exact length.

import { CodedError } from '../../src-shared/ipc/result';

/** libsamplerate-js accepts 1..192000 Hz. */
export const RESAMPLE_MAX_RATE = 192000;
/** The wrapper's WASM transfer buffers hold this many floats (interleaved). */
const WASM_BUFFER_FLOATS = 1008000;

interface Src {
  full(dataIn: Float32Array, dataOut?: Float32Array | null, outLength?: { frames: number } | null): Float32Array;
  destroy(): void;
}
interface SrcModule {
  create(nChannels: number, inRate: number, outRate: number, options?: { converterType: 0 | 1 | 2 | 3 | 4 }): Promise<Src>;
  ConverterType: { SRC_SINC_BEST_QUALITY: 0 | 1 | 2 | 3 | 4 };
}

async function loadLib(): Promise<SrcModule> {
  const m = (await import('@alexanderolsen/libsamplerate-js')) as unknown as SrcModule & { default?: SrcModule };
  return typeof m.create === 'function' ? m : (m.default as SrcModule);
}

function checkRate(r: number, what: string): void {
  if (!Number.isInteger(r) || r < 1) throw new CodedError('BAD_REQUEST', `Cannot resample: the ${what} sample rate ${r} is not a positive whole number of Hz.`);
  if (r > RESAMPLE_MAX_RATE) {
    throw new CodedError('UNSUPPORTED_FORMAT', `Cannot resample from or to ${r} Hz: the resampler handles up to ${RESAMPLE_MAX_RATE} Hz. Convert the file to 192000 Hz or lower first.`);
  }
}

/** Resample planar channels from `fromRate` to `toRate` (identity, returning copies, when the rates are equal). */
export async function resample(channels: Float32Array[], fromRate: number, toRate: number): Promise<Float32Array[]> {
  const nch = channels.length;
  const len = channels[0]?.length ?? 0;
  if (channels.some((c) => c.length !== len)) throw new CodedError('BAD_REQUEST', 'Cannot resample: the channels have different lengths.');
  if (fromRate === toRate) return channels.map((c) => c.slice());
  checkRate(fromRate, 'source');
  checkRate(toRate, 'target');
  const outLen = Math.round((len * toRate) / fromRate);
  if (nch === 0) return [];
  const out = channels.map(() => new Float32Array(outLen));
  if (len === 0 || outLen === 0) return out;

  const lib = await loadLib();
  const src = await lib.create(nch, fromRate, toRate, { converterType: lib.ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    const ratio = toRate / fromRate;
    // Frames per call: input and output both fit the WASM buffers with room to spare.
    const chunk = Math.max(1, Math.floor(WASM_BUFFER_FLOATS / nch / Math.max(1, ratio) / 2));
    const inBuf = new Float32Array(chunk * nch);
    const outCap = Math.ceil(chunk * ratio) + 64;
    const outBuf = new Float32Array(outCap * nch);
    const written = { frames: 0 };
    let produced = 0;
    const take = (frames: number) => {
      const n = Math.min(frames, outLen - produced);
      for (let i = 0; i < n; i++) for (let c = 0; c < nch; c++) out[c]![produced + i] = outBuf[i * nch + c]!;
      produced += n;
    };
    for (let start = 0; start < len; start += chunk) {
      const n = Math.min(chunk, len - start);
      const view = n === chunk ? inBuf : inBuf.subarray(0, n * nch);
      for (let i = 0; i < n; i++) for (let c = 0; c < nch; c++) view[i * nch + c] = channels[c]![start + i]!;
      written.frames = 0;
      src.full(view, outBuf, written);
      take(written.frames);
    }
    // Flush the look-ahead with silence (what end-of-input does inside libsamplerate).
    inBuf.fill(0);
    for (let guard = 0; produced < outLen && guard < 64; guard++) {
      written.frames = 0;
      src.full(inBuf, outBuf, written);
      take(written.frames);
    }
    // `out` is zero-initialised, so any shortfall (never seen) is silence at the very end.
  } finally {
    src.destroy();
  }
  return out;
}
