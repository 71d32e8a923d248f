// Sample-rate conversion with libsamplerate (WASM port), SRC_SINC_BEST_QUALITY.
//
// Output contract: exactly round(len * toRate / fromRate) frames per channel (or the `frames`
// asked for), time-aligned with the input (output sample k is the signal at time k / toRate).
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
  nChannels: number;
  inputSampleRate: number;
  outputSampleRate: number;
  converterType: 0 | 1 | 2 | 3 | 4;
  ratio: number;
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

/**
 * Resample planar channels from `fromRate` to `toRate` (identity, returning copies, when the rates
 * are equal). `frames`: the output length, when it must be exact (a signal that went to another
 * rate and comes back has round(round(n a / b) b / a) frames, which need not be n); the last
 * frames then come from the filter running on past the input's end, not from zeros.
 */
export async function resample(channels: Float32Array[], fromRate: number, toRate: number, frames?: number): Promise<Float32Array[]> {
  const nch = channels.length;
  const len = channels[0]?.length ?? 0;
  if (channels.some((c) => c.length !== len)) throw new CodedError('BAD_REQUEST', 'Cannot resample: the channels have different lengths.');
  if (fromRate === toRate) return channels.map((c) => (frames === undefined || frames === len ? c.slice() : withLength(c, frames)));
  checkRate(fromRate, 'source');
  checkRate(toRate, 'target');
  const outLen = frames ?? Math.round((len * toRate) / fromRate);
  if (nch === 0) return [];
  const out = channels.map(() => new Float32Array(outLen));
  if (len === 0 || outLen === 0) return out;

  const src = await acquireConverter(nch, fromRate, toRate);
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
    // The look-ahead is ~150 input samples at ratio >= 1 and grows as 1/ratio when
    // downsampling, so small blocks of zeros suffice (a full chunk would cost real time).
    const zeros = inBuf.subarray(0, Math.min(chunk, 4096) * nch).fill(0);
    for (let guard = 0; produced < outLen && guard < 256; guard++) {
      written.frames = 0;
      src.full(zeros, outBuf, written);
      take(written.frames);
    }
    // `out` is zero-initialised, so any shortfall (never seen) is silence at the very end.
  } finally {
    releaseConverter(src);
  }
  return out;
}

// Creating a converter instantiates the WASM module (~0.4 s here), so one idle converter is
// kept and re-initialised for the next call. Re-initialising (the wrapper's setters call
// destroy + init) also clears all filter state, so calls never leak into each other.
let idle: Src | null = null;

async function acquireConverter(nch: number, fromRate: number, toRate: number): Promise<Src> {
  const src = idle;
  idle = null;
  if (src) {
    try {
      src.nChannels = nch;
      src.inputSampleRate = fromRate;
      src.outputSampleRate = toRate;
      src.converterType = 0; // SRC_SINC_BEST_QUALITY; setting it re-initialises (fresh state) even if unchanged
      src.ratio = toRate / fromRate; // the wrapper's setters do not update it
      return src;
    } catch {
      try {
        src.destroy();
      } catch {
        /* already unusable */
      }
    }
  }
  const lib = await loadLib();
  return lib.create(nch, fromRate, toRate, { converterType: lib.ConverterType.SRC_SINC_BEST_QUALITY });
}

function releaseConverter(src: Src): void {
  if (idle) src.destroy();
  else idle = src;
}

/** `x` cut to `n` frames, or held at its last value up to `n` (no step to silence at the end). */
function withLength(x: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(x.subarray(0, Math.min(n, x.length)));
  if (n > x.length && x.length) out.fill(x[x.length - 1]!, x.length);
  return out;
}
