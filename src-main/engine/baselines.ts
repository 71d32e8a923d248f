// Plain (non-learned) estimates: the warm starts of the sampler and the honest baselines the UI
// compares the engine's output with.

/**
 * Cubic spline through y (rate r) at k x the rate, with not-a-knot ends (the interpolating C2 spline
 * scipy's CubicSpline builds by default): passes exactly through every y[j] at index j*k, reproduces
 * any cubic exactly, and extends past the last knot with the last piece. O(m) time; one Float32Array of
 * second derivatives (m = y.length) besides the output.
 */
export function splineUpsample(y: Float32Array, k: number, n = (y.length - 1) * k + 1): Float32Array {
  const out = new Float32Array(n);
  const m = y.length;
  if (m === 0) return out;
  if (m === 1) return out.fill(y[0]!);
  const M = splineSecondDerivatives(y);
  for (let i = 0; i < n; i++) {
    const j = Math.min(Math.floor(i / k), m - 2); // segment [j, j+1]; the last one extends past the end
    const t = i / k - j;
    const u = 1 - t;
    out[i] = u * y[j]! + t * y[j + 1]! + ((u * u * u - u) * M[j]! + (t * t * t - t) * M[j + 1]!) / 6;
  }
  return out;
}

/**
 * How well the cubic spline fits this signal, judged from the signal alone: the RMS error of the spline
 * through every other sample (y[0], y[2], ...) at the samples it leaves out (y[1], y[3], ... up to the last
 * knot). A 2x problem inside what the user has; upsampling uses it to guess how far the spline is from the
 * truth (`CardSchema.splineErrorStart`). 0 for fewer than 3 samples.
 */
export function splineSelfError(y: Float32Array): number {
  const half = y.filter((_, i) => i % 2 === 0);
  if (half.length < 2) return 0;
  const s = splineUpsample(half, 2, y.length);
  let e = 0;
  let m = 0;
  for (let i = 1; i < 2 * (half.length - 1); i += 2) {
    e += (y[i]! - s[i]!) ** 2;
    m++;
  }
  return Math.sqrt(e / m);
}

/** Second derivatives M_j of the not-a-knot cubic spline through y at unit spacing:
 *  M_{j-1} + 4 M_j + M_{j+1} = 6 (y_{j+1} - 2 y_j + y_{j-1}) for interior j, and a continuous third
 *  derivative at knots 1 and m-2, which gives M_1 and M_{m-2} directly (6 M = rhs) and leaves a
 *  tridiagonal system for M_2..M_{m-3} (Thomas algorithm). m = 2: a line; m = 3: a parabola. */
function splineSecondDerivatives(y: Float32Array): Float32Array {
  const m = y.length;
  const M = new Float32Array(m);
  if (m < 3) return M;
  const rhs = (j: number) => 6 * (y[j + 1]! - 2 * y[j]! + y[j - 1]!);
  const a = rhs(1) / 6, b = rhs(m - 2) / 6;
  M[1] = a;
  M[m - 2] = b;
  if (m === 3) {
    M[0] = M[2] = a;
    return M;
  }
  // rows j = 2..m-3: M_{j-1} + 4 M_j + M_{j+1} = rhs_j with M_1, M_{m-2} known. Forward sweep stores d'_j
  // in M[j]; c'_j = 1 / (4 - c'_{j-1}) converges to 2 - sqrt(3) within ~30 rows, so it is recomputed
  // on the way back from a short table instead of being stored for every row.
  const first = 2, last = m - 3;
  const C_LIM = 2 - Math.sqrt(3);
  const cTable: number[] = [];
  let c = 0, d = 0;
  for (let j = first; j <= last; j++) {
    let r = rhs(j);
    if (j === first) r -= a;
    if (j === last) r -= b;
    const denom = 4 - c;
    c = 1 / denom;
    d = (r - d) / denom;
    if (cTable.length < 64) cTable.push(c);
    M[j] = d;
  }
  for (let j = last - 1; j >= first; j--) {
    const cj = j - first < cTable.length ? cTable[j - first]! : C_LIM;
    M[j] = M[j]! - cj * M[j + 1]!;
  }
  M[0] = 2 * M[1]! - M[2]!;
  M[m - 1] = 2 * M[m - 2]! - M[m - 3]!;
  return M;
}

/** LPC coefficients a[1..p] (x_t ~ sum a_i x_{t-i}) by autocorrelation + Levinson-Durbin. */
export function lpc(x: Float32Array, order: number): Float64Array {
  const n = x.length;
  const r = new Float64Array(order + 1);
  for (let lag = 0; lag <= order; lag++) {
    let s = 0;
    for (let i = lag; i < n; i++) s += x[i]! * x[i - lag]!;
    r[lag] = s;
  }
  r[0]! *= 1 + 1e-9; // white-noise correction (numerical safety)
  const a = new Float64Array(order + 1);
  if (r[0]! <= 0) return a.subarray(1);
  let e = r[0]!;
  for (let i = 1; i <= order; i++) {
    let acc = r[i]!;
    for (let j = 1; j < i; j++) acc -= a[j]! * r[i - j]!;
    const k = acc / e;
    const prev = a.slice();
    a[i] = k;
    for (let j = 1; j < i; j++) a[j] = prev[j]! - k * prev[i - j]!;
    e *= 1 - k * k;
    if (e <= 0) break;
  }
  return a.subarray(1);
}

function extrapolate(ctx: Float32Array, len: number, order: number): Float32Array {
  const p = Math.min(order, Math.max(0, ctx.length - 1));
  const out = new Float32Array(len);
  if (p < 2) {
    out.fill(ctx.length ? ctx[ctx.length - 1]! : 0);
    return out;
  }
  const a = lpc(ctx, p);
  const hist = Array.from(ctx.subarray(ctx.length - p));
  for (let i = 0; i < len; i++) {
    let v = 0;
    for (let j = 0; j < p; j++) v += a[j]! * hist[hist.length - 1 - j]!;
    if (!Number.isFinite(v) || Math.abs(v) > 4) v = 0;
    out[i] = v;
    hist.push(v);
    hist.shift();
  }
  return out;
}

/**
 * Gap fill baseline: LPC extrapolation forward from the left context and backward from the right
 * context, cross-faded (raised cosine) across the gap. Falls back to linear interpolation when there
 * is too little context. Returns a copy of x with [a, b) filled.
 */
export function lpcFill(x: Float32Array, a: number, b: number, order = 32, context = 2048): Float32Array {
  const out = x.slice();
  const len = b - a;
  const left = x.subarray(Math.max(0, a - context), a);
  const right = x.subarray(b, Math.min(x.length, b + context)).slice().reverse();
  if (left.length < 2 * order && right.length < 2 * order) {
    const l = a > 0 ? x[a - 1]! : b < x.length ? x[b]! : 0;
    const r = b < x.length ? x[b]! : l;
    for (let i = 0; i < len; i++) out[a + i] = l + ((r - l) * (i + 1)) / (len + 1);
    return out;
  }
  const f = left.length >= 2 * order ? extrapolate(left, len, order) : null;
  const g = right.length >= 2 * order ? extrapolate(right, len, order).reverse() : null;
  for (let i = 0; i < len; i++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / len); // 0 -> 1 across the gap
    const fv = f ? f[i]! : g![i]!;
    const gv = g ? g[i]! : f![i]!;
    out[a + i] = (1 - w) * fv + w * gv;
  }
  return out;
}
