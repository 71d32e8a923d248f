// Step weights from a signal's own level, for a level-weighted ascent: the sampler's step at each
// sample is multiplied by the weight (a diagonal preconditioner), so quiet passages move less than
// loud ones. The prior's score is no smaller in quiet passages (mu-law bins are finer there) while
// an interpolation's error there is, so a fixed step moves them as far as loud ones and mostly the
// wrong way (bench/priors/results-session20.md). Same as training/reference_sampler.py's
// level_weights, which the whole-clip check runs.

/** The Hann window numpy's np.hanning(n + 2)[1:-1] gives: n taps, none of them zero, summing to 1. */
function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
    sum += w[i]!;
  }
  for (let i = 0; i < n; i++) w[i]! /= sum;
  return w;
}

/**
 * Per-sample weights in [1e-3, 1]: the RMS of `x` in a Hann window of `window` samples around each
 * sample (scipy's fftconvolve 'same' alignment), over the largest such RMS, to the `power`.
 */
export function levelWeights(x: Float32Array, power: number, window = 800): Float32Array {
  if (!(power > 0) || !Number.isFinite(power)) throw new Error(`level weighting needs a positive power (got ${power})`);
  const n = x.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  const w = hann(window);
  const half = Math.floor((window - 1) / 2); // 'same': output i is the full convolution's i + half
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = x[i]! * x[i]!;
  const lev = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const j = i + half; // full[j] = sum_k sq[j - k] w[k]
    const k0 = Math.max(0, j - (n - 1));
    const k1 = Math.min(window - 1, j);
    let acc = 0;
    for (let k = k0; k <= k1; k++) acc += sq[j - k]! * w[k]!;
    lev[i] = Math.sqrt(Math.max(acc, 0));
    if (lev[i]! > max) max = lev[i]!;
  }
  const scale = 1 / Math.max(max, 1e-12);
  for (let i = 0; i < n; i++) out[i] = Math.max((lev[i]! * scale) ** power, 1e-3);
  return out;
}
