// Plain (non-learned) estimates: the warm starts of the sampler and the honest baselines the UI
// compares the engine's output with.

/** Catmull-Rom cubic spline through y (rate r) at k x the rate; passes exactly through every y[j] at index j*k. */
export function splineUpsample(y: Float32Array, k: number, n = (y.length - 1) * k + 1): Float32Array {
  const out = new Float32Array(n);
  const m = y.length;
  const at = (j: number): number => y[Math.max(0, Math.min(m - 1, j))]!;
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / k);
    const t = (i - j * k) / k;
    const p0 = at(j - 1), p1 = at(j), p2 = at(j + 1), p3 = at(j + 2);
    const t2 = t * t, t3 = t2 * t;
    out[i] = 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
  }
  return out;
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
