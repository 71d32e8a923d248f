// Non-learned baselines for the evaluation: interpolation (linear, windowed sinc), an oracle
// ideal ratio mask for separation, and gap fills (linear, two-sided LPC from the engine, Janssen AR).
// Pure functions on Float32Array; the cubic spline and the two-sided LPC fill are the engine's own
// (src-main/engine/baselines.ts), so the evaluation compares against exactly what the app offers.
import { fft } from '../../src-shared/audio/spectrogram';
import { lpc } from '../../src-main/engine/baselines';

/** Piecewise-linear interpolation through y (rate r) at k x the rate; out[j*k] = y[j]; holds the last value. */
export function linearUpsample(y: Float32Array, k: number, n = y.length * k): Float32Array {
  const out = new Float32Array(n);
  const m = y.length;
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / k);
    const t = (i - j * k) / k;
    const a = y[Math.min(m - 1, j)]!;
    const b = y[Math.min(m - 1, j + 1)]!;
    out[i] = a + (b - a) * t;
  }
  return out;
}

/** Kaiser window value at u in [-1, 1] (beta 8.6: ~-90 dB side lobes). */
function kaiser(u: number, beta = 8.6): number {
  if (Math.abs(u) >= 1) return 0;
  const i0 = (x: number) => {
    let s = 1, t = 1;
    for (let k = 1; k < 30; k++) {
      t *= (x / (2 * k)) ** 2;
      s += t;
    }
    return s;
  };
  return i0(beta * Math.sqrt(1 - u * u)) / i0(beta);
}

/**
 * Band-limited (Kaiser-windowed sinc) interpolation through y at k x the rate, `half` low-rate
 * samples of support on each side (zeros outside the clip). Passes exactly through every y[j] at j*k
 * (the sinc is 1 at 0 and 0 at every other integer).
 */
export function sincUpsample(y: Float32Array, k: number, n = y.length * k, half = 32): Float32Array {
  const out = new Float32Array(n);
  // taps per fractional phase p = 1..k-1
  const taps: Float64Array[] = [];
  for (let p = 0; p < k; p++) {
    const h = new Float64Array(2 * half);
    const frac = p / k;
    for (let q = -half + 1; q <= half; q++) {
      const t = frac - q; // distance (in low-rate samples) from y[j + q]
      const s = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      h[q + half - 1] = s * kaiser(t / half);
    }
    taps.push(h);
  }
  const m = y.length;
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / k);
    const p = i - j * k;
    if (p === 0) {
      out[i] = j < m ? y[j]! : 0;
      continue;
    }
    const h = taps[p]!;
    let acc = 0;
    for (let q = -half + 1; q <= half; q++) {
      const idx = j + q;
      if (idx >= 0 && idx < m) acc += h[q + half - 1]! * y[idx]!;
    }
    out[i] = acc;
  }
  return out;
}

// ------------------------------------------------------------------ STFT and the oracle IRM

/** Periodic sqrt-Hann window: analysis x synthesis = Hann, which overlap-adds to a constant at hop N/4 (x1.5) and N/2 (x1). */
function sqrtHann(N: number): Float64Array {
  return Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));
}

interface Stft {
  re: Float64Array[];
  im: Float64Array[];
  N: number;
  hop: number;
  n: number;
  pad: number;
}

function stft(x: Float32Array, N: number, hop: number): Stft {
  const pad = N; // frames cover the signal fully
  const n = x.length;
  const w = sqrtHann(N);
  const frames = Math.ceil((n + 2 * pad - N) / hop) + 1;
  const re: Float64Array[] = [];
  const im: Float64Array[] = [];
  for (let f = 0; f < frames; f++) {
    const r = new Float64Array(N);
    const i_ = new Float64Array(N);
    const s = f * hop - pad;
    for (let i = 0; i < N; i++) {
      const k = s + i;
      if (k >= 0 && k < n) r[i] = x[k]! * w[i]!;
    }
    fft(r, i_);
    re.push(r);
    im.push(i_);
  }
  return { re, im, N, hop, n, pad };
}

function istft(S: Stft): Float32Array {
  const { N, hop, n, pad } = S;
  const w = sqrtHann(N);
  const acc = new Float64Array(n + 2 * pad + N);
  const norm = new Float64Array(n + 2 * pad + N);
  for (let f = 0; f < S.re.length; f++) {
    // inverse FFT via conj-FFT-conj
    const r = S.re[f]!.slice();
    const i_ = S.im[f]!.map((v) => -v);
    fft(r, i_);
    const s = f * hop;
    for (let i = 0; i < N; i++) {
      acc[s + i]! += (r[i]! / N) * w[i]!;
      norm[s + i]! += w[i]! * w[i]!;
    }
  }
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const nv = norm[k + pad]!;
    out[k] = nv > 1e-9 ? acc[k + pad]! / nv : 0;
  }
  return out;
}

/**
 * Oracle ideal ratio mask (an upper bound for mask-based separation): with the TRUE sources a, b,
 * mask_a = |A|^2 / (|A|^2 + |B|^2) per STFT bin (sqrt-Hann, N = 1024, hop 256), applied to the
 * mixture a + b; mask_b = 1 - mask_a, so the two estimates sum to the mixture.
 */
export function oracleIrm(a: Float32Array, b: Float32Array, N = 1024, hop = N / 4): [Float32Array, Float32Array] {
  const n = Math.min(a.length, b.length);
  const A = stft(a.subarray(0, n), N, hop);
  const B = stft(b.subarray(0, n), N, hop);
  const mix = new Float32Array(n);
  for (let i = 0; i < n; i++) mix[i] = a[i]! + b[i]!;
  const M = stft(mix, N, hop);
  const Ea: Stft = { ...M, re: [], im: [] };
  const Eb: Stft = { ...M, re: [], im: [] };
  for (let f = 0; f < M.re.length; f++) {
    const ra = new Float64Array(N), ia = new Float64Array(N), rb = new Float64Array(N), ib = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      const pa = A.re[f]![k]! ** 2 + A.im[f]![k]! ** 2;
      const pb = B.re[f]![k]! ** 2 + B.im[f]![k]! ** 2;
      const m = pa + pb > 0 ? pa / (pa + pb) : 0.5;
      ra[k] = m * M.re[f]![k]!;
      ia[k] = m * M.im[f]![k]!;
      rb[k] = (1 - m) * M.re[f]![k]!;
      ib[k] = (1 - m) * M.im[f]![k]!;
    }
    Ea.re.push(ra);
    Ea.im.push(ia);
    Eb.re.push(rb);
    Eb.im.push(ib);
  }
  return [istft(Ea), istft(Eb)];
}

/** STFT analysis + synthesis with no change (used by tests: must reconstruct the input). */
export function stftRoundTrip(x: Float32Array, N = 1024, hop = N / 4): Float32Array {
  return istft(stft(x, N, hop));
}

// ------------------------------------------------------------------ gap fills

/** Straight line from x[a-1] to x[b] across the gap [a, b). */
export function linearFill(x: Float32Array, a: number, b: number): Float32Array {
  const out = x.slice();
  const l = a > 0 ? x[a - 1]! : b < x.length ? x[b]! : 0;
  const r = b < x.length ? x[b]! : l;
  const len = b - a;
  for (let i = 0; i < len; i++) out[a + i] = l + ((r - l) * (i + 1)) / (len + 1);
  return out;
}

/**
 * Solve the symmetric positive-definite BANDED Toeplitz system A u = r, A[i][j] = R[|i - j|] for
 * |i - j| <= p else 0 (banded Cholesky, O(n p^2) time, O(n p) memory).
 */
function bandedToeplitzSolve(R: Float64Array, p: number, r: Float64Array, n: number): Float64Array {
  const w = p + 1;
  const L = new Float64Array(n * w); // L[i][j] at i*w + (i - j), 0 <= i - j <= p
  const at = (i: number, j: number): number => (i - j <= p && i >= j ? L[i * w + (i - j)]! : 0);
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(0, i - p);
    for (let j = j0; j <= i; j++) {
      let s = R[i - j]!;
      for (let k = Math.max(j0, j - p); k < j; k++) s -= at(i, k) * at(j, k);
      if (i === j) L[i * w] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * w + (i - j)] = s / L[j * w]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    for (let k = Math.max(0, i - p); k < i; k++) s -= at(i, k) * z[k]!;
    z[i] = s / L[i * w]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k <= Math.min(n - 1, i + p); k++) s -= at(k, i) * z[k]!;
    z[i] = s / L[i * w]!;
  }
  return z;
}

/**
 * Janssen, Veldhuis & Vries (1986) iterative AR interpolation of the gap [a, b): alternate
 * (1) AR coefficients (order p, autocorrelation method) from the current signal segment and
 * (2) the missing samples that minimise the AR prediction-error energy given the known samples
 * (a least-squares problem in the gap, solved exactly). Works on x[a - ctx, b + ctx).
 * Cost O(gap * p^2 + segment * p) per iteration (banded normal equations).
 */
export function janssenFill(x: Float32Array, a: number, b: number, order = 32, iterations = 5, ctx = 2048): Float32Array {
  const out = x.slice();
  const s = Math.max(0, a - ctx);
  const e = Math.min(x.length, b + ctx);
  const seg = Float32Array.from(linearFill(x, a, b).subarray(s, e));
  const ga = a - s;
  const gb = b - s;
  const m = gb - ga;
  const n = seg.length;
  const p = Math.min(order, Math.floor(n / 4));
  if (m <= 0 || p < 1) return out;
  for (let it = 0; it < iterations; it++) {
    const coef = lpc(seg, p); // x_t ~ sum a_i x_{t-i}
    const c = new Float64Array(p + 1);
    c[0] = 1;
    for (let i = 1; i <= p; i++) c[i] = -coef[i - 1]!;
    // e_t = sum_i c_i x_{t-i}, t = p..n-1. Unknowns u = x[ga..gb). Minimise sum e_t^2.
    // Normal equations: sum_t (d e_t/d u_j)(d e_t/d u_l) u_l = -sum_t (d e_t/d u_j) e_t^known
    // d e_t / d x_q = c_{t-q}; so the Gram matrix is R[j][l] = sum_i c_i c_{i + (l - j)} (Toeplitz,
    // exact except near the segment ends, which lie >= ctx away when ctx >= p).
    const R = new Float64Array(p + 1);
    for (let d = 0; d <= p; d++) {
      let sum = 0;
      for (let i = 0; i + d <= p; i++) sum += c[i]! * c[i + d]!;
      R[d] = sum;
    }
    // right-hand side: e_known with gap samples set to 0
    const known = Float64Array.from(seg);
    for (let q = ga; q < gb; q++) known[q] = 0;
    const rhs = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const q = ga + j;
      let sum = 0;
      for (let i = 0; i <= p; i++) {
        const t = q + i; // e_t involves x_q with coefficient c_i
        if (t < p || t >= n) continue;
        let et = 0;
        for (let k = 0; k <= p; k++) et += c[k]! * known[t - k]!;
        sum += c[i]! * et;
      }
      rhs[j] = -sum;
    }
    R[0]! *= 1 + 1e-9;
    const u = bandedToeplitzSolve(R, p, rhs, m);
    for (let j = 0; j < m; j++) {
      const v = u[j]!;
      seg[ga + j] = Number.isFinite(v) ? Math.max(-4, Math.min(4, v)) : 0;
    }
  }
  out.set(seg.subarray(ga, gb), a);
  return out;
}
