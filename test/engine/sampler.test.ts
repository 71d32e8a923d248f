import { describe, it, expect } from 'vitest';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { sample, sigmaLevels, planWindows } from '../../src-main/engine/sampler';
import {
  MaskOperator,
  maskFromGaps,
  decimationMask,
  DecimateMap,
  GaussianObservation,
  lowpassTaps,
  sumOperator,
  ComposedOperator,
  NoObservation,
} from '../../src-main/engine/operators';
import { CodedError } from '../../src-shared/ipc/result';
import type { Schedule } from '../../src-main/engine/prior';
import { add, arPrecision, denseOf, eye, inv, matmul, matvec, transpose, type Mat } from './linalg';

const SCH: Schedule = { sigmaMax: 0.5, sigmaMin: 0.1, levels: 3, stepsPerLevel: 600, etaScale: 0.1 };
const S2 = SCH.sigmaMin ** 2;

/** Pooled z-scores of replicas against an exact Gaussian (mean mu, covariance C) on index set idx. */
function zStats(xs: Float32Array[], mu: ArrayLike<number>, C: Mat, idx: number[]): { mean: number; var: number } {
  let s = 0, s2 = 0, k = 0;
  for (const x of xs) for (const [j, i] of idx.entries()) {
    const z = (x[i]! - mu[j]!) / Math.sqrt(C[j]![j]!);
    s += z;
    s2 += z * z;
    k++;
  }
  return { mean: s / k, var: s2 / k - (s / k) ** 2 };
}

function expectPosterior(st: { mean: number; var: number }): void {
  console.log("posterior z-stats", st);
  expect(Math.abs(st.mean)).toBeLessThan(0.12);
  expect(st.var).toBeGreaterThan(0.85);
  expect(st.var).toBeLessThan(1.2);
}

/** Exact Gaussian conditional of the free indices F given the known indices K under precision Q:
 *  covariance C = Q_FF^-1 and mean mu = -C Q_FK x_K. */
function conditional(Q: Mat, F: number[], K: number[], x: ArrayLike<number>): { mu: number[]; C: Mat } {
  const C = inv(F.map((i) => Float64Array.from(F, (j) => Q[i]![j]!)));
  const mu = Array.from(matvec(C, matvec(F.map((i) => Float64Array.from(K, (j) => Q[i]![j]!)), K.map((k) => x[k]!)))).map((u) => -u);
  return { mu, C };
}

const R = 32; // independent replicas (signals) per run
const signal = (n: number, f: (t: number) => number) => Float32Array.from({ length: n }, (_, t) => f(t));

describe('sampler with analytic Gaussian priors: exact posteriors', () => {
  const a = 0.5, v = 0.01, w = v + S2;
  const prior = new GaussianArPrior(a, v);

  it('mask (inpainting): mean and variance of the gap; observed samples exact', async () => {
    const n = 80;
    const truth = signal(n, (t) => 0.2 * Math.sin(t / 5));
    const known = maskFromGaps(n, [[30, 50]]);
    const op = new MaskOperator(truth, known, [...Array(R).keys()]);
    const res = await sample(Array.from({ length: R }, () => ({ prior, init: truth })), op, { schedule: SCH, seed: 7, window: 16, batch: 4, denoise: false });
    // exact: free F given known K under precision Q
    const F = [...Array(n).keys()].filter((i) => !known[i]);
    const K = [...Array(n).keys()].filter((i) => known[i]);
    const { mu, C } = conditional(arPrecision(n, a, w), F, K, truth);
    expectPosterior(zStats(res.x, mu, C, F));
    for (const x of res.x) for (const k of K) expect(x[k]).toBe(truth[k]);
  });

  it('temperature 0: a deterministic best estimate (the posterior mean of a Gaussian), the same for any seed', async () => {
    const n = 80;
    const truth = signal(n, (t) => 0.2 * Math.sin(t / 5));
    const known = maskFromGaps(n, [[30, 50]]);
    const op = new MaskOperator(truth, known, [0, 1]);
    // init away from the answer: zeros in the gap
    const init = truth.slice();
    init.fill(0, 30, 50);
    const run = (seed: number) => sample([{ prior, init }, { prior, init }], op, { schedule: SCH, seed, window: 16, batch: 4, denoise: false, temperature: 0 });
    const r7 = await run(7), r8 = await run(8);
    expect(Array.from(r7.x[0]!)).toEqual(Array.from(r8.x[1]!)); // no random draw anywhere
    const F = [...Array(n).keys()].filter((i) => !known[i]);
    const K = [...Array(n).keys()].filter((i) => known[i]);
    const { mu, C } = conditional(arPrecision(n, a, w), F, K, truth);
    const sd = Math.sqrt(Math.min(...F.map((_, j) => C[j]![j]!)));
    for (const [j, i] of F.entries()) expect(Math.abs(r7.x[0]![i]! - mu[j]!)).toBeLessThan(0.02 * sd);
    // temperature 1 from the same start is a sample: it differs from the mean by about one posterior sd
    const op1 = new MaskOperator(truth, known, [0]);
    const t1 = await sample([{ prior, init }], op1, { schedule: SCH, seed: 7, window: 16, batch: 4, denoise: false });
    expect(Math.max(...F.map((i, j) => Math.abs(t1.x[0]![i]! - mu[j]!)))).toBeGreaterThan(0.5 * sd);
    await expect(sample([{ prior, init }], op1, { schedule: SCH, seed: 1, temperature: -1 })).rejects.toThrow(/temperature/);
  });

  it('pure decimation: every k-th sample exact, the rest from the posterior', async () => {
    const n = 90, k = 3;
    const truth = signal(n, (t) => 0.3 * Math.cos(t / 7));
    const y = new DecimateMap(k).apply(truth);
    const op = decimationMask(y, k, n, 0, [...Array(R).keys()]);
    const res = await sample(Array.from({ length: R }, () => ({ prior, init: new Float32Array(n) })), op, { schedule: SCH, seed: 3, window: 20, denoise: false });
    const F = [...Array(n).keys()].filter((i) => i % k !== 0);
    const K = [...Array(n).keys()].filter((i) => i % k === 0);
    const { mu, C } = conditional(arPrecision(n, a, w), F, K, truth);
    expectPosterior(zStats(res.x, mu, C, F));
    for (const x of res.x) for (let j = 0; j < y.length; j++) expect(x[j * k]).toBe(y[j]);
  });

  it('low-pass + decimation as a Gaussian likelihood', async () => {
    const n = 96, k = 4, noise = 0.02;
    const A = new DecimateMap(k, lowpassTaps(k, 6));
    const truth = signal(n, (t) => 0.3 * Math.sin(t / 9));
    const y = A.apply(truth);
    const op = new GaussianObservation(y, A, { noise, gamma: 1, signals: [0] });
    // replicas: one operator per signal
    const ops = [...Array(R).keys()].map((s) => new GaussianObservation(y, A, { noise, gamma: 1, signals: [s] }));
    const res = await sample(Array.from({ length: R }, () => ({ prior, init: new Float32Array(n) })), new ComposedOperator(ops), { schedule: SCH, seed: 5, window: 32, denoise: false });
    const tau2 = op.variance(SCH.sigmaMin);
    const Ad = denseOf((x) => A.apply(x), n);
    const P = add(arPrecision(n, a, w), matmul(transpose(Ad), Ad).map((r) => r.map((u) => u / tau2)));
    const C = inv(P);
    const mu = matvec(C, matvec(transpose(Ad), Array.from(y, (u) => u / tau2)));
    expectPosterior(zStats(res.x, mu, C, [...Array(n).keys()]));
  });

  it('sum (separation): posterior of each source; x1 + x2 == mixture within 1e-3 relative', async () => {
    const n = 60;
    const p1 = new GaussianArPrior(0, 0.02); // iid
    const p2 = new GaussianArPrior(0.5, 0.01); // AR(1)
    const m = signal(n, (t) => 0.25 * Math.sin(t / 4) + 0.1);
    const reps: Float32Array[][] = [];
    for (let r = 0; r < 12; r++) {
      const res = await sample([{ prior: p1, init: new Float32Array(n) }, { prior: p2, init: new Float32Array(n) }], sumOperator(m, 4), { schedule: SCH, seed: 100 + r, window: 25, denoise: false });
      reps.push(res.x);
      let num = 0, den = 0;
      for (let i = 0; i < n; i++) {
        num += (res.x[0]![i]! + res.x[1]![i]! - m[i]!) ** 2;
        den += m[i]! ** 2;
      }
      expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
    }
    // hard-constraint posterior x1 | x1 + x2 = m
    const C1 = inv(arPrecision(n, 0, 0.02 + S2));
    const C2 = inv(arPrecision(n, 0.5, 0.01 + S2));
    const G = matmul(C1, inv(add(C1, C2)));
    const mu = matvec(G, m);
    const C = add(C1, matmul(G, C1), -1);
    expectPosterior(zStats(reps.map((x) => x[0]!), mu, C, [...Array(n).keys()]));
  });
});

describe('sampler mechanics', () => {
  const prior = new GaussianArPrior(0.5, 0.01);
  const small: Schedule = { ...SCH, levels: 2, stepsPerLevel: 10 };

  it('same seed -> same output; different seed -> different output; independent of batch size', async () => {
    const init = signal(200, (t) => Math.sin(t / 10) * 0.2);
    const run = (seed: number, batch: number) => sample([{ prior, init }], NoObservation, { schedule: small, seed, window: 30, batch });
    const a = await run(1, 2), b = await run(1, 2), c = await run(2, 2), d = await run(1, 7);
    expect(Array.from(a.x[0]!)).toEqual(Array.from(b.x[0]!));
    expect(Array.from(a.x[0]!)).not.toEqual(Array.from(c.x[0]!));
    expect(Array.from(a.x[0]!)).toEqual(Array.from(d.x[0]!));
  });

  it('cancellation takes effect within one step', async () => {
    const ac = new AbortController();
    const steps: number[] = [];
    const p = sample([{ prior, init: new Float32Array(100) }], NoObservation, {
      schedule: { ...SCH, stepsPerLevel: 1000 },
      seed: 1,
      signal: ac.signal,
      onStep: (s) => {
        steps.push(s.step);
        if (s.step === 5) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps.length).toBe(5);
  });

  it('previews: at least once per level, at most every previewMs', async () => {
    const levels: number[] = [];
    await sample([{ prior, init: new Float32Array(50) }], NoObservation, {
      schedule: { ...SCH, levels: 4, stepsPerLevel: 20 },
      seed: 1,
      previewMs: 1e9,
      onPreview: (_x, s) => levels.push(s.level),
    });
    expect(levels).toEqual([1, 2, 3, 4]);
  });

  it('previews: never more often than previewMs except at a level end', async () => {
    const slow = new GaussianArPrior(0.5, 0.01);
    const orig = slow.score.bind(slow);
    slow.score = async (...a) => {
      await new Promise((r) => setTimeout(r, 20));
      return orig(...a);
    };
    const seen: Array<{ t: number; end: boolean }> = [];
    await sample([{ prior: slow, init: new Float32Array(50) }], NoObservation, {
      schedule: { ...SCH, levels: 2, stepsPerLevel: 25 },
      seed: 1,
      previewMs: 100,
      denoise: false,
      onPreview: (_x, s) => seen.push({ t: performance.now(), end: s.step === s.of }),
    });
    expect(seen.filter((p) => p.end).length).toBe(2);
    const mid = seen.filter((p) => !p.end);
    expect(mid.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) if (!seen[i]!.end) expect(seen[i]!.t - seen[i - 1]!.t).toBeGreaterThanOrEqual(99);
  });

  it('geometric schedule and window planning', () => {
    const s = sigmaLevels(1, 0.01, 3);
    expect(s[0]).toBeCloseTo(1);
    expect(s[1]).toBeCloseTo(0.1);
    expect(s[2]).toBeCloseTo(0.01);
    const w = planWindows(0, 100, [[0, 100]], 8, 30);
    expect(w.map((x) => [x.a, x.b])).toEqual([[0, 30], [30, 60], [60, 90], [90, 100]]);
    expect(w.every((x) => x.len === 46 && x.s + x.len <= 100 && x.s <= x.a - 8)).toBe(true);
  });

  it('bad inputs give coded errors', async () => {
    const bad = new Float32Array([0, NaN, 0]);
    await expect(sample([{ prior, init: bad }], NoObservation, { schedule: small, seed: 1 })).rejects.toMatchObject({ code: 'BAD_SAMPLES' });
    await expect(sample([], NoObservation, { schedule: small, seed: 1 })).rejects.toBeInstanceOf(CodedError);
    await expect(sample([{ prior, init: new Float32Array(4) }], NoObservation, { schedule: { ...small, levels: 0 }, seed: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(() => maskFromGaps(10, [[5, 12]])).toThrowError(/outside the clip/);
    expect(() => new DecimateMap(1)).toThrowError(/integer from 2/);
    expect(() => new DecimateMap(0)).toThrowError(/integer from 2/);
    expect(() => eye(1)).not.toThrow();
  });
});

describe('operators compose', () => {
  it('separating a low-rate mixture: A(x1 + x2) == y exactly after the final projection', async () => {
    const n = 64, k = 2;
    const p1 = new GaussianArPrior(0, 0.02);
    const p2 = new GaussianArPrior(0.5, 0.01);
    const y = Float32Array.from({ length: n / k }, (_, j) => 0.2 * Math.sin(j / 3));
    const op = new GaussianObservation(y, new DecimateMap(k), { signals: [0, 1], gamma: 4 });
    const r = await sample([{ prior: p1, init: new Float32Array(n) }, { prior: p2, init: new Float32Array(n) }], new ComposedOperator([op]), { schedule: { ...SCH, stepsPerLevel: 50 }, seed: 2 });
    for (let j = 0; j < y.length; j++) expect(r.x[0]![j * k]! + r.x[1]![j * k]!).toBeCloseTo(y[j]!, 5);
    // odd samples are unobserved: free, not pinned
    expect(r.x[0]!.some((v, i) => i % 2 === 1 && v !== 0)).toBe(true);
  });
});

describe('separation as a hard constraint', () => {
  const ar1 = (n: number, a: number, seed: number) => {
    let s = seed >>> 0;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const x = new Float32Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
      prev = a * prev + 0.05 * z;
      x[i] = prev;
    }
    return x;
  };
  const snrDb = (ref: Float32Array, est: Float32Array) => {
    let num = 0, den = 0;
    for (let i = 0; i < ref.length; i++) {
      num += ref[i]! ** 2;
      den += (ref[i]! - est[i]!) ** 2;
    }
    return 10 * Math.log10(num / den);
  };

  it('projects after every step: the stems sum to the mixture exactly at every step, not only at the end', async () => {
    const n = 300;
    const m = Float32Array.from(ar1(n, 0.9, 1), (v, i) => v + 0.01 * Math.sin(i));
    const op = sumOperator(m);
    const sums: number[] = [];
    await sample([{ prior: new GaussianArPrior(0.95, 0.0025), init: new Float32Array(n) }, { prior: new GaussianArPrior(-0.9, 0.0025), init: new Float32Array(n) }], op, {
      schedule: { sigmaMax: 0.1, sigmaMin: 0.01, levels: 2, stepsPerLevel: 3, etaScale: 2 },
      seed: 3, temperature: 1, previewMs: 0, denoise: false,
      onPreview: (x) => sums.push(Math.max(...Array.from(m, (v, i) => Math.abs(x[0]![i]! + x[1]![i]! - v)))),
    });
    expect(sums.length).toBe(6);
    for (const d of sums) expect(d).toBeLessThan(1e-6);
    // a filtered observation has no exact projection, so it cannot be made hard
    expect(() => new GaussianObservation(m.subarray(0, 75), new DecimateMap(4, lowpassTaps(4, 6)), { signals: [0, 1], projectEachStep: true })).toThrow(/identity or pure-decimation/);
  });

  it('moves the stems apart where the priors tell them apart (deterministic ascent from the halved mixture)', async () => {
    const n = 2000;
    const x1 = ar1(n, 0.95, 11); // low-pass source
    const x2 = ar1(n, -0.9, 12); // high-pass source
    const m = Float32Array.from(x1, (v, i) => v + x2[i]!);
    const half = m.map((v) => v / 2);
    const priors = [new GaussianArPrior(0.95, 0.0025), new GaussianArPrior(-0.9, 0.0025)];
    const run = (op: GaussianObservation, etaScale: number) =>
      sample(priors.map((prior) => ({ prior, init: half })), op, {
        schedule: { sigmaMax: 0.05, sigmaMin: 0.005, levels: 4, stepsPerLevel: 5, etaScale }, seed: 1, temperature: 0, denoise: false,
      });
    const hard = await run(sumOperator(m), 2);
    const before = (snrDb(x1, half) + snrDb(x2, half)) / 2;
    const after = (snrDb(x1, hard.x[0]!) + snrDb(x2, hard.x[1]!)) / 2;
    console.log('separation SNR dB: halved mixture', before.toFixed(2), 'hard, 4 x 5', after.toFixed(2));
    expect(after).toBeGreaterThan(before + 6);
  });
});
