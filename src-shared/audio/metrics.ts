// Quality metrics (pure): SNR, SI-SDR, LSD. Inputs are sample arrays of equal length
// (the shorter length is used if they differ).
import { fft } from './spectrogram';

type Samples = ArrayLike<number>;

/** SNR in dB = 10 log10(||ref||^2 / ||ref - est||^2). +Infinity when identical; -Infinity when ref is silent. */
export function snr(ref: Samples, est: Samples): number {
  const n = Math.min(ref.length, est.length);
  let s = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    s += ref[i]! * ref[i]!;
    const d = ref[i]! - est[i]!;
    e += d * d;
  }
  if (e === 0) return s === 0 ? NaN : Infinity;
  return 10 * Math.log10(s / e);
}

/**
 * Scale-invariant SDR in dB (Le Roux et al., 2019), both signals made zero-mean first:
 *   target = (<est, ref> / ||ref||^2) ref,  SI-SDR = 10 log10(||target||^2 / ||est - target||^2).
 */
export function siSdr(ref: Samples, est: Samples): number {
  const n = Math.min(ref.length, est.length);
  if (n === 0) return NaN;
  let mr = 0;
  let me = 0;
  for (let i = 0; i < n; i++) {
    mr += ref[i]!;
    me += est[i]!;
  }
  mr /= n;
  me /= n;
  let dot = 0;
  let rr = 0;
  for (let i = 0; i < n; i++) {
    const r = ref[i]! - mr;
    dot += (est[i]! - me) * r;
    rr += r * r;
  }
  if (rr === 0) return NaN;
  const a = dot / rr;
  let tt = 0;
  let ee = 0;
  for (let i = 0; i < n; i++) {
    const t = a * (ref[i]! - mr);
    const d = est[i]! - me - t;
    tt += t * t;
    ee += d * d;
  }
  if (ee === 0) return Infinity;
  return 10 * Math.log10(tt / ee);
}

export interface LsdOptions {
  /** FFT size (power of two). Default 2048. */
  fftSize?: number;
  /** Hop in samples. Default fftSize / 4. */
  hop?: number;
  /** Only bins from minHz to maxHz (default: all bins 0..Nyquist). */
  minHz?: number;
  maxHz?: number;
}

/**
 * Log-spectral distance (as in audio super-resolution papers, e.g. Kuleshov et al. 2017):
 *   LSD = mean over frames of sqrt( mean over bins of (log10 P_ref - log10 P_est)^2 ),
 * P = |STFT|^2 with a Hann window, frames fully inside the signal, eps 1e-10 added to powers.
 * Units: log10 of power (multiply by 10 for dB). 0 = identical spectra.
 */
export function lsd(ref: Samples, est: Samples, sampleRate: number, opts: LsdOptions = {}): number {
  const N = opts.fftSize ?? 2048;
  if ((N & (N - 1)) !== 0 || N < 2) throw new Error('lsd: fftSize must be a power of two');
  const hop = opts.hop ?? N / 4;
  const n = Math.min(ref.length, est.length);
  const binHz = sampleRate / N;
  const k0 = Math.max(0, Math.ceil((opts.minHz ?? 0) / binHz));
  const k1 = Math.min(N / 2, Math.floor((opts.maxHz ?? sampleRate / 2) / binHz));
  if (n < N || k1 < k0) return NaN;
  const win = new Float64Array(N);
  for (let i = 0; i < N; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N);
  const power = (x: Samples, off: number): Float64Array => {
    const re = new Float64Array(N);
    const im = new Float64Array(N);
    for (let i = 0; i < N; i++) re[i] = x[off + i]! * win[i]!;
    fft(re, im);
    const p = new Float64Array(N / 2 + 1);
    for (let k = 0; k <= N / 2; k++) p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    return p;
  };
  let total = 0;
  let frames = 0;
  for (let off = 0; off + N <= n; off += hop) {
    const a = power(ref, off);
    const b = power(est, off);
    let s = 0;
    for (let k = k0; k <= k1; k++) {
      const d = Math.log10(a[k]! + 1e-10) - Math.log10(b[k]! + 1e-10);
      s += d * d;
    }
    total += Math.sqrt(s / (k1 - k0 + 1));
    frames++;
  }
  return total / frames;
}
