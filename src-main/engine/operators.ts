// Observation operators: how an observation y constrains the unknown signals x (one per source).
// The sampler asks an operator three things: which samples are free, the gradient of log p(y | x)
// at the current noise level, and a projection that enforces hard constraints (after every step,
// and once more at the end).
import { CodedError } from '../../src-shared/ipc/result';

export interface Operator {
  readonly name: string;
  /** 1 where signal `s` (length n) may change, 0 where it is pinned; null = all free. */
  freeMask?(s: number, n: number): Uint8Array | null;
  /** Add d log p(y|x) / dx to grad[s] for every signal; sigma = current noise level. */
  addGrad?(x: Float32Array[], grad: Float32Array[], sigma: number): void;
  /** Enforce hard constraints (called after every step). */
  project?(x: Float32Array[]): void;
  /** Final projection (called once after the last step). */
  finalize?(x: Float32Array[]): void;
  /** Largest curvature of -log p(y|x) per unit of eta*gamma... used to check step stability (optional). */
  readonly notes?: string[];
}

function bad(msg: string): CodedError {
  return new CodedError('BAD_REQUEST', msg);
}

function checkFinite(name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new CodedError('BAD_SAMPLES', `${name} has a NaN or infinite sample at index ${i}.`);
  }
}

// ---------------------------------------------------------------- mask (inpainting)

/**
 * Inpainting: `known[i] = 1` samples are observed and stay EXACTLY equal to `values[i]`;
 * the others are free. Applies to the listed signals (default [0]).
 */
export class MaskOperator implements Operator {
  readonly name = 'mask';
  constructor(
    readonly values: Float32Array,
    readonly known: Uint8Array,
    readonly signals: number[] = [0],
  ) {
    if (values.length !== known.length) throw bad('mask: values and mask lengths differ.');
    checkFinite('The clip', values);
  }
  freeMask(s: number, n: number): Uint8Array | null {
    if (!this.signals.includes(s)) return null;
    if (n !== this.known.length) throw bad(`mask: signal length ${n} != mask length ${this.known.length}.`);
    const f = new Uint8Array(n);
    for (let i = 0; i < n; i++) f[i] = this.known[i] ? 0 : 1;
    return f;
  }
  project(x: Float32Array[]): void {
    for (const s of this.signals) {
      const xs = x[s]!;
      for (let i = 0; i < xs.length; i++) if (this.known[i]) xs[i] = this.values[i]!;
    }
  }
}

/** Build a known-mask from gap ranges [start, end) in samples (everything outside the gaps is known). */
export function maskFromGaps(n: number, gaps: Array<[number, number]>): Uint8Array {
  const known = new Uint8Array(n).fill(1);
  for (const [a, b] of gaps) {
    if (!(Number.isInteger(a) && Number.isInteger(b)) || a < 0 || b > n || a >= b) {
      throw bad(`Gap [${a}, ${b}) is outside the clip (0..${n}) or empty.`);
    }
    known.fill(0, a, b);
  }
  return known;
}

// ---------------------------------------------------------------- linear maps

/** A linear map A: R^n -> R^m with its adjoint. */
export interface LinearMap {
  readonly name: string;
  outLength(n: number): number;
  apply(x: Float32Array): Float32Array;
  adjoint(r: Float32Array, n: number): Float32Array;
}

export const Identity: LinearMap = {
  name: 'identity',
  outLength: (n) => n,
  apply: (x) => x,
  adjoint: (r) => r,
};

/** Windowed-sinc low-pass FIR (Hann window), cutoff = 1/(2k) of the sample rate, unit DC gain, odd length. */
export function lowpassTaps(k: number, halfWidth = 8 * k): Float32Array {
  const L = 2 * halfWidth + 1;
  const h = new Float32Array(L);
  const fc = 0.5 / k;
  let sum = 0;
  for (let i = 0; i < L; i++) {
    const t = i - halfWidth;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / (halfWidth + 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < L; i++) h[i]! /= sum;
  return h;
}

/**
 * y[j] = (h * x)[j*k + phase]  (zero-phase FIR h centred, zero outside the clip), or pure
 * decimation y[j] = x[j*k + phase] when no taps are given.
 */
export class DecimateMap implements LinearMap {
  readonly name: string;
  constructor(
    readonly k: number,
    readonly taps: Float32Array | null = null,
    readonly phase = 0,
  ) {
    checkFactor(k);
    this.name = taps ? `lowpass+decimate(${k})` : `decimate(${k})`;
  }
  outLength(n: number): number {
    return n > this.phase ? Math.floor((n - 1 - this.phase) / this.k) + 1 : 0;
  }
  apply(x: Float32Array): Float32Array {
    const n = x.length;
    const m = this.outLength(n);
    const y = new Float32Array(m);
    const h = this.taps;
    if (!h) {
      for (let j = 0; j < m; j++) y[j] = x[j * this.k + this.phase]!;
      return y;
    }
    const hw = (h.length - 1) >> 1;
    for (let j = 0; j < m; j++) {
      const c = j * this.k + this.phase;
      let acc = 0;
      const lo = Math.max(0, c - hw);
      const hi = Math.min(n - 1, c + hw);
      for (let i = lo; i <= hi; i++) acc += h[c - i + hw]! * x[i]!;
      y[j] = acc;
    }
    return y;
  }
  adjoint(r: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n);
    const h = this.taps;
    if (!h) {
      for (let j = 0; j < r.length; j++) out[j * this.k + this.phase] = r[j]!;
      return out;
    }
    const hw = (h.length - 1) >> 1;
    for (let j = 0; j < r.length; j++) {
      const c = j * this.k + this.phase;
      const rj = r[j]!;
      const lo = Math.max(0, c - hw);
      const hi = Math.min(n - 1, c + hw);
      for (let i = lo; i <= hi; i++) out[i]! += h[c - i + hw]! * rj;
    }
    return out;
  }
}

export function checkFactor(k: number): void {
  if (!Number.isInteger(k) || k < 2 || k > 64) {
    throw bad(`Upsampling factor must be an integer from 2 to 64 (got ${k}).`);
  }
}

// ---------------------------------------------------------------- Gaussian observation of a sum

export interface GaussianObservationOptions {
  /** Which signals are summed before A (default [0]). */
  signals?: number[];
  /** Fixed observation noise std (e.g. the quantisation noise of the low-rate file). Default 0. */
  noise?: number;
  /**
   * Annealed part: noise variance sigma^2 / gamma (reference separation: gamma = 15).
   * Keeps the step stable: eta * gamma * |A|^2 * signals = etaScale * gamma * ... < 2.
   */
  gamma?: number;
  /** At the end, project so that A(sum x) == y: exact for identity and pure decimation. */
  projectAtEnd?: boolean;
  /**
   * After EVERY step, project so that A(sum x) == y (identity and pure decimation only): the
   * observation becomes a hard constraint, and a step moves the signals apart along their score
   * difference only. Separation uses it (measured in bench/engine/separation.ts).
   */
  projectEachStep?: boolean;
}

/**
 * y = A(sum_{s in signals} x_s) + n,  n ~ N(0, noise^2 + sigma^2 / gamma).
 * Separation: A = identity, signals [0, 1]. Upsampling of a filtered file: A = lowpass+decimate.
 * Separating a low-rate mixture: A = lowpass+decimate, signals [0, 1].
 */
export class GaussianObservation implements Operator {
  readonly name: string;
  readonly signals: number[];
  readonly noise: number;
  readonly gamma: number;
  readonly projectAtEnd: boolean;
  readonly projectEachStep: boolean;
  readonly notes: string[] = [];

  constructor(
    readonly y: Float32Array,
    readonly A: LinearMap,
    opts: GaussianObservationOptions = {},
  ) {
    checkFinite('The observation', y);
    this.signals = opts.signals ?? [0];
    this.noise = opts.noise ?? 0;
    this.gamma = opts.gamma ?? 15;
    this.projectAtEnd = opts.projectAtEnd ?? true;
    this.projectEachStep = opts.projectEachStep ?? false;
    if (this.projectEachStep && !this.exact()) throw bad('projectEachStep needs an identity or pure-decimation observation.');
    if (!(this.gamma > 0) && !(this.noise > 0)) throw bad('GaussianObservation needs gamma > 0 or noise > 0.');
    this.name = `gauss(${A.name}, ${this.signals.length} signal${this.signals.length > 1 ? 's' : ''})`;
  }

  variance(sigma: number): number {
    return this.noise * this.noise + (this.gamma > 0 ? (sigma * sigma) / this.gamma : 0);
  }

  residual(x: Float32Array[]): Float32Array {
    const n = x[this.signals[0]!]!.length;
    let sum: Float32Array;
    if (this.signals.length === 1) sum = x[this.signals[0]!]!;
    else {
      sum = new Float32Array(n);
      for (const s of this.signals) {
        const xs = x[s]!;
        for (let i = 0; i < n; i++) sum[i]! += xs[i]!;
      }
    }
    const ax = this.A.apply(sum);
    if (ax.length !== this.y.length) {
      throw bad(`Observation has ${this.y.length} samples but the operator expects ${ax.length}.`);
    }
    const r = new Float32Array(ax.length);
    for (let j = 0; j < r.length; j++) r[j] = this.y[j]! - ax[j]!;
    return r;
  }

  addGrad(x: Float32Array[], grad: Float32Array[], sigma: number): void {
    const n = x[this.signals[0]!]!.length;
    const r = this.residual(x);
    const inv = 1 / this.variance(sigma);
    const g = this.A.adjoint(r, n);
    for (const s of this.signals) {
      const gs = grad[s]!;
      for (let i = 0; i < n; i++) gs[i]! += inv * g[i]!;
    }
  }

  /** Identity and pure decimation have A A^T = I, so an exact projection exists. */
  private exact(): boolean {
    return this.A === Identity || (this.A instanceof DecimateMap && !this.A.taps);
  }

  project(x: Float32Array[]): void {
    if (this.projectEachStep) this.projectExactly(x);
  }

  finalize(x: Float32Array[]): void {
    if (!this.projectAtEnd) return;
    if (!this.exact()) {
      if (!this.notes.includes('no-exact-projection')) this.notes.push('no-exact-projection');
      return;
    }
    this.projectExactly(x);
  }

  /** x_s += A^T r / S: the least-norm correction that makes A(sum x) == y exactly (needs A A^T = I). */
  private projectExactly(x: Float32Array[]): void {
    const n = x[this.signals[0]!]!.length;
    const r = this.residual(x);
    const c = this.A.adjoint(r, n);
    const S = this.signals.length;
    for (const s of this.signals) {
      const xs = x[s]!;
      for (let i = 0; i < n; i++) xs[i]! += c[i]! / S;
    }
  }
}

/**
 * Separation: m = x_piano + x_voice as a HARD constraint (projected after every step, so each step
 * moves the stems apart along the difference of their scores). The soft form (gradient
 * -gamma/sigma^2 (x1 + x2 - m), exact sum only at the end) barely moved the stems from the halved
 * mixture in the few steps a desktop can afford (bench/engine/separation.md).
 */
export function sumOperator(mixture: Float32Array, gamma = 15): GaussianObservation {
  return new GaussianObservation(mixture, Identity, { signals: [0, 1], gamma, projectAtEnd: true, projectEachStep: true });
}

/** Pure decimation as a HARD constraint: x[j*k + phase] == y[j] exactly; other samples free. */
export function decimationMask(y: Float32Array, k: number, n: number, phase = 0, signals: number[] = [0]): MaskOperator {
  checkFactor(k);
  const values = new Float32Array(n);
  const known = new Uint8Array(n);
  const m = Math.floor((n - 1 - phase) / k) + 1;
  if (y.length < m) throw bad(`decimation: need ${m} low-rate samples for ${n} output samples, got ${y.length}.`);
  for (let j = 0; j < m; j++) {
    values[j * k + phase] = y[j]!;
    known[j * k + phase] = 1;
  }
  return new MaskOperator(values, known, signals);
}

// ---------------------------------------------------------------- composition

/** Several operators at once: gradients add, masks intersect, projections run in order. */
export class ComposedOperator implements Operator {
  readonly name: string;
  constructor(readonly parts: Operator[]) {
    this.name = parts.map((p) => p.name).join(' + ');
  }
  freeMask(s: number, n: number): Uint8Array | null {
    let out: Uint8Array | null = null;
    for (const p of this.parts) {
      const m = p.freeMask?.(s, n) ?? null;
      if (!m) continue;
      if (!out) out = m.slice();
      else for (let i = 0; i < n; i++) out[i] = out[i]! & m[i]!;
    }
    return out;
  }
  addGrad(x: Float32Array[], grad: Float32Array[], sigma: number): void {
    for (const p of this.parts) p.addGrad?.(x, grad, sigma);
  }
  project(x: Float32Array[]): void {
    for (const p of this.parts) p.project?.(x);
  }
  finalize(x: Float32Array[]): void {
    for (const p of this.parts) p.finalize?.(x);
    for (const p of this.parts) p.project?.(x);
  }
  get notes(): string[] {
    return this.parts.flatMap((p) => p.notes ?? []);
  }
}

/** No observation (unconditional generation). */
export const NoObservation: Operator = { name: 'none' };
