// A band-pass on each step of the upsampling ascent, around the fold of the decimation (the low rate's
// Nyquist frequency). The cubic spline's error sits in the bands either side of the fold, while the
// prior's score points into every band, and outside the fold's bands mostly the wrong way; filtering
// each step to the fold's band (a preconditioner that depends on the decimation factor only) aims the
// ascent better (bench/priors/results-session21.md). Same filter as training/reference_sampler.py's
// fold_band, which the whole-clip check runs.

/** A Hann-windowed ideal band-pass FIR from lo to hi (cycles per sample), `taps` long (odd). The window is
 *  numpy's np.hanning(taps + 2)[1:-1]: no zero taps at the ends. */
export function bandTaps(lo: number, hi: number, taps: number): Float32Array {
  if (!(Number.isInteger(taps) && taps >= 1 && taps % 2 === 1)) throw new Error(`taps must be a positive odd integer (got ${taps})`);
  if (!(lo >= 0 && lo < hi && hi <= 0.5)) throw new Error(`the band must satisfy 0 <= lo < hi <= 0.5 cycles per sample (got ${lo}-${hi})`);
  const half = (taps - 1) / 2;
  const sinc = (f: number, t: number) => (t === 0 ? 2 * f : Math.sin(2 * Math.PI * f * t) / (Math.PI * t));
  return Float32Array.from({ length: taps }, (_, i) => {
    const t = i - half;
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (taps + 1));
    return (sinc(hi, t) - sinc(lo, t)) * w;
  });
}

/** The band-pass around the fold of a k x decimation (1 / (2k) cycles per sample): 0.625 to 1.375 times
 *  the fold, 16 k + 1 taps (4x at 16 kHz: half gain at 1250 and 2750 Hz, under 0.1 below 1 kHz and above 3 kHz). */
export function foldBandTaps(k: number): Float32Array {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`the decimation factor must be an integer of at least 2 (got ${k})`);
  const fold = 1 / (2 * k);
  return bandTaps(0.625 * fold, 1.375 * fold, 16 * k + 1);
}

/** x filtered by the symmetric odd-length FIR h, zeros beyond both ends, the same length as x (numpy's
 *  np.convolve(x, h, "same")). Into `out` when given (not x itself). */
export function filterSame(x: Float32Array, h: Float32Array, out = new Float32Array(x.length)): Float32Array {
  const n = x.length;
  const half = (h.length - 1) / 2;
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n - 1, i + half);
    let acc = 0;
    for (let m = lo; m <= hi; m++) acc += x[m]! * h[i - m + half]!;
    out[i] = acc;
  }
  return out;
}
