// Small dense Float64 linear algebra for exact Gaussian posteriors in tests.
export type Mat = Float64Array[];

export const zeros = (n: number, m = n): Mat => Array.from({ length: n }, () => new Float64Array(m));
export function eye(n: number, s = 1): Mat {
  const a = zeros(n);
  for (let i = 0; i < n; i++) a[i]![i] = s;
  return a;
}
export function add(a: Mat, b: Mat, sb = 1): Mat {
  return a.map((r, i) => r.map((v, j) => v + sb * b[i]![j]!));
}
export function matmul(a: Mat, b: Mat): Mat {
  const n = a.length, k = b.length, m = b[0]!.length;
  const c = zeros(n, m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) {
    const v = a[i]![p]!;
    if (v === 0) continue;
    const bp = b[p]!, ci = c[i]!;
    for (let j = 0; j < m; j++) ci[j]! += v * bp[j]!;
  }
  return c;
}
export const transpose = (a: Mat): Mat => Array.from({ length: a[0]!.length }, (_, j) => Float64Array.from(a, (r) => r[j]!));
export function matvec(a: Mat, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (r) => r.reduce((s, v, j) => s + v * x[j]!, 0));
}
/** Inverse of a symmetric positive definite matrix (Gauss-Jordan, fine for n <= 300). */
export function inv(a: Mat): Mat {
  const n = a.length;
  const m = a.map((r, i) => {
    const row = new Float64Array(2 * n);
    row.set(r);
    row[n + i] = 1;
    return row;
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f === 0) continue;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((r) => r.slice(n));
}
/** Precision of the clip density N(x0; 0, w) prod N(x_t; a x_{t-1}, w) (see GaussianArPrior). */
export function arPrecision(n: number, a: number, w: number): Mat {
  const q = zeros(n);
  for (let t = 0; t < n; t++) {
    q[t]![t] = (t < n - 1 ? 1 + a * a : 1) / w;
    if (t < n - 1) {
      q[t]![t + 1] = -a / w;
      q[t + 1]![t] = -a / w;
    }
  }
  return q;
}
/** Dense matrix of a linear map given as a function on vectors. */
export function denseOf(f: (x: Float32Array) => Float32Array, n: number): Mat {
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float32Array(n);
    e[j] = 1;
    cols.push(Float64Array.from(f(e)));
  }
  return transpose(cols);
}
