// Annealed Langevin dynamics, window-parallel over time (the PnF scheme).
//
// For sigma_1 > ... > sigma_L (geometric), T steps each:
//   x <- x + eta (grad log p_sigma(x) + grad log p(y|x)) + sqrt(2 eta) z,   eta = etaScale * sigma^2
// on the FREE samples only; then the operator's hard constraints are re-applied.
//
// The prior gradient for the whole clip is assembled from windows: a window updates its centre
// [a, b) and is evaluated on [a - RF, b + RF): RF samples of left context so every prediction in
// the centre sees its full history, and RF samples of right context so a centre sample's gradient
// includes every later prediction that depends on it. That makes the windowed gradient EXACTLY
// the whole-clip gradient (the clip is preceded by silence). Windows of all signals that share a
// prior are batched together (`batch` windows per ONNX run), and all samples are updated together
// from the same state (one full gradient step per Langevin step).
import { CodedError } from '../../src-shared/ipc/result';
import { filterSame } from './fold-band';
import type { Operator } from './operators';
import type { Schedule, ScorePrior } from './prior';
import { Rng } from './rng';

export interface SignalSpec {
  prior: ScorePrior;
  /** Starting point (copied). For warm starts, the baseline estimate. */
  init: Float32Array;
}

export interface StepInfo {
  level: number; // 1-based
  levels: number;
  step: number; // 1-based
  of: number;
  sigma: number;
  /** Completed steps / total steps of this run, after this step. */
  fraction: number;
}

export interface SamplerOptions {
  schedule: Schedule;
  /** Start the schedule here instead of schedule.sigmaMax (warm starts). */
  startSigma?: number;
  /**
   * How the free samples start: 'noise' -> init + startSigma * z (a warm start perturbed to the first
   * noise level; init zeros = from noise), 'init' -> exactly init.
   */
  start?: 'noise' | 'init';
  /**
   * Variance multiplier of the Langevin noise: 1 = posterior sampling (default); 0 = deterministic
   * annealed gradient ascent, a best estimate rather than a sample (then `start` defaults to 'init':
   * no random draw at all). Between: a colder posterior.
   */
  temperature?: number;
  seed: number;
  /** Centre samples per window (default DEFAULT_WINDOW). */
  window?: number;
  /** Windows per ONNX run (default DEFAULT_BATCH). */
  batch?: number;
  signal?: AbortSignal;
  onStep?: (s: StepInfo) => void;
  /** Called at most every `previewMs` and at least once per level (at its end) with the current state. */
  onPreview?: (x: readonly Float32Array[], s: StepInfo) => void;
  previewMs?: number;
  /** Final Tweedie denoising step x + sigma_min^2 * score at the end (default true). */
  denoise?: boolean;
  /** Clamp samples to [-limit, limit] after each step (default 4; a safety net against blow-ups). */
  limit?: number;
  /**
   * Per signal, optional per-sample weights in (0, 1] for each step (a diagonal preconditioner M:
   * x <- x + eta M grad + sqrt(2 eta T M) z), e.g. levelWeights: quiet passages move less.
   */
  stepWeights?: (Float32Array | null)[];
  /**
   * Optional symmetric odd-length FIR (e.g. foldBandTaps): each step's (weighted) gradient on the free
   * samples is filtered by it, so the ascent moves only the band it passes. Deterministic ascent only
   * (temperature 0, start 'init'): a filtered step has no matching noise here.
   */
  stepFilter?: Float32Array;
}

export interface SamplerResult {
  x: Float32Array[];
  sigmas: number[];
  steps: number;
  sampleUpdates: number;
  seconds: number;
}

/** Defaults: window centre samples and windows per ONNX run. One run of the 12-layer, 48-channel,
 *  256-bin score graph needs ~15 KB per window sample of ORT arena (measured: 2 x 10246 samples ->
 *  ~300 MB per session), and separation holds two sessions, so the default is ONE window of 8192 (+ 2 RF
 *  context) per run (~150 MB per session). On the 2-core CPU this was also the fastest setting
 *  (bench/engine/results.md, section 4); on a GPU raise `batch` to put many windows in one run. */
export const DEFAULT_WINDOW = 8192;
export const DEFAULT_BATCH = 1;

export function sigmaLevels(sigmaMax: number, sigmaMin: number, levels: number): number[] {
  if (levels === 1) return [sigmaMin];
  const out: number[] = [];
  for (let l = 0; l < levels; l++) out.push(sigmaMax * Math.pow(sigmaMin / sigmaMax, l / (levels - 1)));
  return out;
}

/** A window: evaluate x[s .. s+len) (s may be negative: zeros before the clip), keep grad for centre [a, b). */
export interface Win {
  signal: number;
  s: number;
  len: number;
  a: number;
  b: number;
}

/** Contiguous runs of 1s in a mask (or the whole range when mask is null). */
export function runsOf(mask: Uint8Array | null, n: number): Array<[number, number]> {
  if (!mask) return n > 0 ? [[0, n]] : [];
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < n) {
    while (i < n && !mask[i]) i++;
    if (i >= n) break;
    const a = i;
    while (i < n && mask[i]) i++;
    out.push([a, i]);
  }
  return out;
}

/**
 * Plan windows covering `runs` of a signal of length n. Runs closer than 2*RF are merged (their
 * context would overlap anyway). Every window has input length W = window + 2*RF, except when the
 * whole signal is shorter (then one window covers it).
 */
export function planWindows(signal: number, n: number, runs: Array<[number, number]>, rf: number, window: number): Win[] {
  const merged: Array<[number, number]> = [];
  for (const r of runs) {
    const last = merged[merged.length - 1];
    if (last && r[0] - last[1] <= 2 * rf) last[1] = r[1];
    else merged.push([r[0], r[1]]);
  }
  const W = window + 2 * rf;
  const out: Win[] = [];
  for (const [ra, rb] of merged) {
    for (let a = ra; a < rb; a += window) {
      const b = Math.min(rb, a + window);
      if (n + rf <= W) {
        out.push({ signal, s: -rf, len: n + rf, a, b });
        continue;
      }
      let s = a - rf;
      if (s + W > n) s = n - W; // never run past the end: shift left (centre still has full context)
      out.push({ signal, s, len: W, a, b });
    }
  }
  return out;
}

interface Group {
  prior: ScorePrior;
  len: number;
  wins: Win[];
}

function groupWindows(wins: Win[], priors: ScorePrior[]): Group[] {
  const groups = new Map<string, Group>();
  const ids = new Map<ScorePrior, number>();
  for (const w of wins) {
    const p = priors[w.signal]!;
    if (!ids.has(p)) ids.set(p, ids.size);
    const key = `${ids.get(p)}:${w.len}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { prior: p, len: w.len, wins: [] }));
    g.wins.push(w);
  }
  return [...groups.values()];
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CodedError('CANCELLED', 'The job was cancelled.');
}

/**
 * Evaluate the prior gradient (and logp) of every window, scattering centre values into grad/logp.
 * grad and logp arrays are overwritten on the centre samples only.
 */
export async function scoreWindows(
  x: readonly Float32Array[],
  groups: Group[],
  sigma: number,
  batch: number,
  grad: Float32Array[] | null,
  logp: Float32Array[] | null,
  signal?: AbortSignal,
): Promise<void> {
  for (const g of groups) {
    const L = g.len;
    for (let i0 = 0; i0 < g.wins.length; i0 += batch) {
      checkAbort(signal);
      const ws = g.wins.slice(i0, i0 + batch);
      const B = ws.length;
      const buf = new Float32Array(B * L);
      ws.forEach((w, bi) => {
        const xs = x[w.signal]!;
        const lo = Math.max(0, w.s);
        const hi = Math.min(xs.length, w.s + L);
        buf.set(xs.subarray(lo, hi), bi * L + (lo - w.s));
      });
      const out = await g.prior.score(buf, B, L, new Float32Array(B).fill(sigma));
      ws.forEach((w, bi) => {
        const off = bi * L - w.s;
        if (grad) grad[w.signal]!.set(out.grad.subarray(off + w.a, off + w.b), w.a);
        if (logp) logp[w.signal]!.set(out.logp.subarray(off + w.a, off + w.b), w.a);
      });
    }
  }
}

/** Mean smoothed log-density per sample of a whole signal under a prior at sigma (nats/sample). */
export async function meanLogp(prior: ScorePrior, x: Float32Array, sigma: number, window = DEFAULT_WINDOW, batch = DEFAULT_BATCH, signal?: AbortSignal): Promise<number> {
  const n = x.length;
  if (n === 0) return NaN;
  const wins = planWindows(0, n, [[0, n]], prior.receptiveField, window);
  const lp = new Float32Array(n);
  await scoreWindows([x], groupWindows(wins, [prior]), sigma, batch, null, [lp], signal);
  let s = 0;
  for (let i = 0; i < n; i++) s += lp[i]!;
  return s / n;
}

export function validateSchedule(s: Schedule): void {
  const ok =
    s.sigmaMax > 0 && s.sigmaMin > 0 && s.sigmaMin <= s.sigmaMax && Number.isInteger(s.levels) && s.levels >= 1 &&
    Number.isInteger(s.stepsPerLevel) && s.stepsPerLevel >= 1 && s.etaScale > 0 && s.levels * s.stepsPerLevel <= 1e6;
  if (!ok) throw new CodedError('BAD_REQUEST', `Invalid sampler schedule ${JSON.stringify(s)}.`);
}

/** Run annealed Langevin dynamics for one or more signals under one operator. */
export async function sample(signals: SignalSpec[], op: Operator, opts: SamplerOptions): Promise<SamplerResult> {
  const t0 = performance.now();
  if (signals.length === 0) throw new CodedError('BAD_REQUEST', 'Nothing to sample.');
  const sch = opts.schedule;
  validateSchedule(sch);
  const start = opts.startSigma ?? sch.sigmaMax;
  const sigmas = sigmaLevels(Math.max(start, sch.sigmaMin), sch.sigmaMin, sch.levels);
  const window = opts.window ?? DEFAULT_WINDOW;
  const batch = opts.batch ?? DEFAULT_BATCH;
  if (!(Number.isInteger(window) && window >= 1)) throw new CodedError('BAD_REQUEST', `window must be a positive integer (got ${window}).`);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new CodedError('BAD_REQUEST', `batch must be a positive integer (got ${batch}).`);
  const temperature = opts.temperature ?? 1;
  if (!(Number.isFinite(temperature) && temperature >= 0)) throw new CodedError('BAD_REQUEST', `temperature must be a finite number >= 0 (got ${temperature}).`);
  const limit = opts.limit ?? 4;
  const rng = new Rng(opts.seed);
  const priors = signals.map((s) => s.prior);

  const x = signals.map((s) => {
    for (let i = 0; i < s.init.length; i++) {
      if (!Number.isFinite(s.init[i]!)) throw new CodedError('BAD_SAMPLES', `The input has a NaN or infinite sample at index ${i}.`);
    }
    return Float32Array.from(s.init);
  });
  const n = x.map((a) => a.length);
  const free = x.map((_, s) => op.freeMask?.(s, n[s]!) ?? null);
  const freeIdx = free.map((m, s) => {
    if (!m) return null; // all free
    const idx: number[] = [];
    for (let i = 0; i < n[s]!; i++) if (m[i]) idx.push(i);
    return Int32Array.from(idx);
  });
  const wins = x.flatMap((_, s) => planWindows(s, n[s]!, runsOf(free[s]!, n[s]!), priors[s]!.receptiveField, window));
  const groups = groupWindows(wins, priors);
  const updatesPerStep = x.reduce((acc, _, s) => acc + (freeIdx[s] ? freeIdx[s]!.length : n[s]!), 0);

  const forFree = (s: number, f: (i: number) => void): void => {
    const idx = freeIdx[s];
    if (idx) for (let j = 0; j < idx.length; j++) f(idx[j]!);
    else for (let i = 0; i < n[s]!; i++) f(i);
  };

  const weights = x.map((xs, s) => {
    const w = opts.stepWeights?.[s] ?? null;
    if (w && w.length !== xs.length) throw new CodedError('BAD_REQUEST', `step weights for signal ${s} have ${w.length} values for ${xs.length} samples.`);
    return w;
  });

  const startMode = opts.start ?? (temperature === 0 ? 'init' : 'noise');
  const filt = opts.stepFilter ?? null;
  if (filt && !(filt.length % 2 === 1 && temperature === 0 && startMode === 'init')) {
    throw new CodedError('BAD_REQUEST', 'A step filter needs an odd number of taps and a deterministic ascent (temperature 0, no start noise).');
  }
  const filtIn = filt ? x.map((xs) => new Float32Array(xs.length)) : null;
  const filtOut = filt ? x.map((xs) => new Float32Array(xs.length)) : null;

  // starting point (with step weights, noise the weighted steps can take away again: sqrt(w) as large)
  op.project?.(x);
  if (startMode === 'noise') {
    const s0 = sigmas[0]!;
    x.forEach((xs, s) => {
      const ws = weights[s];
      forFree(s, (i) => (xs[i]! += (ws ? Math.sqrt(ws[i]!) : 1) * s0 * rng.normal()));
    });
  }

  const grad = x.map((xs) => new Float32Array(xs.length));
  const total = sigmas.length * sch.stepsPerLevel;
  let done = 0;
  let lastPreview = performance.now();
  const previewMs = opts.previewMs ?? 250;

  for (let l = 0; l < sigmas.length; l++) {
    const sigma = sigmas[l]!;
    const eta = sch.etaScale * sigma * sigma;
    const noise = Math.sqrt(2 * eta * temperature);
    for (let t = 0; t < sch.stepsPerLevel; t++) {
      checkAbort(opts.signal);
      for (const g of grad) g.fill(0);
      await scoreWindows(x, groups, sigma, batch, grad, null, opts.signal);
      op.addGrad?.(x, grad, sigma);
      x.forEach((xs, s) => {
        const ws = weights[s];
        let gs: Float32Array = grad[s]!;
        if (filt) {
          // the weighted gradient on the free samples, filtered; then a plain step along it (no noise)
          const v = filtIn![s]!;
          v.fill(0);
          forFree(s, (i) => (v[i] = (ws ? ws[i]! : 1) * gs[i]!));
          gs = filterSame(v, filt, filtOut![s]!);
        }
        forFree(s, (i) => {
          const wi = ws && !filt ? ws[i]! : 1;
          let v = xs[i]! + wi * eta * gs[i]! + (ws ? Math.sqrt(wi) : 1) * noise * rng.normal();
          if (!(v > -limit)) v = -limit; // also catches NaN
          else if (v > limit) v = limit;
          xs[i] = v;
        });
      });
      op.project?.(x);
      done++;
      const info: StepInfo = { level: l + 1, levels: sigmas.length, step: t + 1, of: sch.stepsPerLevel, sigma, fraction: done / total };
      opts.onStep?.(info);
      const now = performance.now();
      const levelEnd = t === sch.stepsPerLevel - 1;
      if (opts.onPreview && (levelEnd || now - lastPreview >= previewMs)) {
        lastPreview = now;
        opts.onPreview(x, info);
      }
    }
  }

  if (opts.denoise ?? true) {
    checkAbort(opts.signal);
    const sigma = sigmas[sigmas.length - 1]!;
    for (const g of grad) g.fill(0);
    // Tweedie: E[x_clean | x] = x + sigma^2 * grad log p_sigma(x), prior score only (the observation
    // is re-imposed by the operator's projections below).
    await scoreWindows(x, groups, sigma, batch, grad, null, opts.signal);
    const s2 = sigma * sigma;
    x.forEach((xs, s) => {
      const gs = grad[s]!;
      forFree(s, (i) => {
        const v = xs[i]! + s2 * gs[i]!;
        xs[i] = Number.isFinite(v) ? Math.max(-limit, Math.min(limit, v)) : xs[i]!;
      });
    });
    op.project?.(x);
  }
  op.finalize?.(x);

  return {
    x,
    sigmas,
    steps: total,
    sampleUpdates: updatesPerStep * total,
    seconds: (performance.now() - t0) / 1000,
  };
}
