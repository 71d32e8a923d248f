// Step weights from a signal's own level, for a level-weighted ascent: the sampler's step at each
// sample is multiplied by the weight (a diagonal preconditioner), so quiet passages move less than
// loud ones. The prior's score is no smaller in quiet passages (mu-law bins are finer there) while
// an interpolation's error there is, so a fixed step moves them as far as loud ones and mostly the
// wrong way (bench/priors/results-session20.md). Same as training/reference_sampler.py's
// level_weights, which the whole-clip check runs.

/** Outputs between exact recomputations of the sliding sums (bounds their rounding drift). */
const RESYNC = 4096;

/**
 * Each sample's RMS level: the mean square of `x` in a Hann window of `window` samples around it
 * (numpy's np.hanning(window + 2)[1:-1], normalised to sum 1; scipy fftconvolve 'same' alignment),
 * square-rooted. O(n) whatever the window: the Hann window is a boxcar minus a cosine, and both
 * sums slide (the cosine's phase repeats every window + 1 samples).
 */
export function localLevels(x: Float32Array, window = 800): Float32Array {
  if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a positive integer (got ${window})`);
  const n = x.length;
  const out = new Float32Array(n);
  const N = window;
  const P = N + 1; // w[k] = (1 - cos(2 pi (k + 1) / P)) / 2 / S, k = 0 .. N-1
  const cosT = new Float64Array(P);
  const sinT = new Float64Array(P);
  for (let r = 0; r < P; r++) {
    cosT[r] = Math.cos((2 * Math.PI * r) / P);
    sinT[r] = Math.sin((2 * Math.PI * r) / P);
  }
  let S = 0;
  for (let k = 0; k < N; k++) S += 0.5 - 0.5 * cosT[(k + 1) % P]!;
  const half = Math.floor((N - 1) / 2); // 'same': output i is the full convolution's j = i + half
  const sq = (m: number) => x[m]! * x[m]!;
  // over m in [j - N + 1, j] (inside the signal): A = sum sq[m], C = sum sq[m] cos(2 pi m / P), D = ... sin
  let A = 0, C = 0, D = 0;
  const resync = (j: number) => {
    A = C = D = 0;
    for (let m = Math.max(0, j - N + 1); m <= Math.min(n - 1, j); m++) {
      const v = sq(m);
      A += v;
      C += v * cosT[m % P]!;
      D += v * sinT[m % P]!;
    }
  };
  for (let i = 0; i < n; i++) {
    const j = i + half;
    if (i % RESYNC === 0) resync(j);
    else {
      if (j < n) {
        const v = sq(j);
        A += v;
        C += v * cosT[j % P]!;
        D += v * sinT[j % P]!;
      }
      const gone = j - N;
      if (gone >= 0 && gone < n) {
        const v = sq(gone);
        A -= v;
        C -= v * cosT[gone % P]!;
        D -= v * sinT[gone % P]!;
      }
    }
    // sum sq[m] (1 - cos(2 pi (j + 1 - m) / P)) / 2, expanded: cos(a - b) = cos a cos b + sin a sin b
    const r = (j + 1) % P;
    const full = (0.5 * A - 0.5 * (cosT[r]! * C + sinT[r]! * D)) / S;
    out[i] = Math.sqrt(Math.max(full, 0));
  }
  return out;
}

/** Weights in [1e-3, 1] from levels: level / loudest, to the power; the loudest level is given so that
 *  several channels can share one (a quiet channel then moves less than a loud one). */
export function weightsFromLevels(levels: Float32Array, loudest: number, power: number): Float32Array {
  if (!(power > 0) || !Number.isFinite(power)) throw new Error(`level weighting needs a positive power (got ${power})`);
  const scale = 1 / Math.max(loudest, 1e-12);
  const out = new Float32Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = Math.max((levels[i]! * scale) ** power, 1e-3);
  return out;
}

/** The largest value (0 for none). */
export function loudestOf(levels: Float32Array): number {
  let m = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i]! > m) m = levels[i]!;
  return m;
}

/** Per-sample weights in [1e-3, 1]: the local level over the signal's loudest, to the `power`. */
export function levelWeights(x: Float32Array, power: number, window = 800): Float32Array {
  const levels = localLevels(x, window);
  return weightsFromLevels(levels, loudestOf(levels), power);
}
