import { describe, expect, it } from 'vitest';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { levelWeights, localLevels } from '../../src-main/engine/level-weights';
import { sample } from '../../src-main/engine/sampler';
import { NoObservation } from '../../src-main/engine/operators';
import { CodedError } from '../../src-shared/ipc/result';

// scipy's numbers for the reference sampler's level_weights maths (even and odd windows), from
//   x = (np.random.default_rng(5).standard_normal(40) * np.linspace(0.05, 1, 40)).astype(np.float32)
//   w = np.hanning(N + 2)[1:-1]; np.sqrt(fftconvolve(x.astype(np.float64) ** 2, w / w.sum(), mode="same"))
const X = [-0.040097, -0.098478, -0.024518, 0.051747, 0.167494, 0.018847, -0.108404, -0.173054, 0.183347, 0.440134, 0.080082, -0.392135, -0.328022, 0.586674, 0.079332, -0.719502, -0.036805, -0.539856, -0.307383, -0.250259, -0.383177, 0.310743, -0.036962, -0.359704, 0.259962, 0.546853, -1.122733, -0.181686, -0.717957, -0.130976, -1.006738, 0.016658, -0.031426, -0.259858, -0.920294, -0.357587, -1.011578, -1.289186, 0.21931, -1.10935];
const SCIPY: Record<number, number[]> = {
  8: [0.0456905, 0.0592616, 0.07429, 0.0865125, 0.0978391, 0.111618, 0.143736, 0.187744, 0.230851, 0.270295, 0.310234, 0.346948, 0.384004, 0.420997, 0.44915, 0.46218, 0.454081, 0.429214, 0.396896, 0.359707, 0.327516, 0.304974, 0.298875, 0.361762, 0.470955, 0.574226, 0.642321, 0.67233, 0.673376, 0.642476, 0.587992, 0.545822, 0.525842, 0.536484, 0.618138, 0.738812, 0.841956, 0.894751, 0.88203, 0.80615],
  7: [0.051425, 0.0652507, 0.0806961, 0.0923575, 0.103229, 0.117957, 0.155895, 0.206613, 0.253071, 0.290354, 0.327265, 0.362588, 0.400988, 0.441096, 0.464118, 0.466803, 0.44776, 0.414074, 0.374416, 0.340221, 0.313152, 0.292742, 0.297655, 0.384754, 0.520383, 0.630386, 0.681348, 0.682887, 0.659383, 0.617174, 0.570384, 0.526326, 0.502576, 0.537037, 0.665074, 0.805631, 0.892843, 0.919209, 0.872855, 0.750428],
};

describe('localLevels: the same Hann-window RMS as the reference sampler (scipy)', () => {
  for (const N of [8, 7]) {
    it(`window ${N}: every sample, edges included`, () => {
      const got = localLevels(Float32Array.from(X), N);
      SCIPY[N]!.forEach((v, i) => expect(got[i]!).toBeCloseTo(v, 5));
    });
  }
  it('the sliding sums stay exact over a long signal (resynchronised), loud then quiet', () => {
    const n = 50000;
    const x = Float32Array.from({ length: n }, (_, i) => (i < 20000 ? 0.9 : 1e-4) * Math.sin(i * 0.37));
    const fast = localLevels(x, 800);
    // direct sums at a few places, quiet ones after the loud part included
    for (const i of [10, 19990, 20500, 21000, 33333, 49999]) {
      let acc = 0, S = 0;
      for (let k = 0; k < 800; k++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (k + 1)) / 801);
        S += w;
        const m = i + 399 - k;
        if (m >= 0 && m < n) acc += x[m]! * x[m]! * w;
      }
      expect(fast[i]!).toBeCloseTo(Math.sqrt(acc / S), 7);
    }
  });
});

describe('levelWeights: the step weights of a level-weighted ascent', () => {
  it('is 1 where the signal is loudest and the level ratio to the power elsewhere', () => {
    const n = 16000;
    // a tone at 0.8 for the first half, at 0.2 for the second: a quarter of the level
    const x = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.8 : 0.2) * Math.sin(i * 0.3));
    for (const p of [0.5, 1, 2]) {
      const w = levelWeights(x, p);
      expect(w[n / 4]!).toBeCloseTo(1, 2);
      expect(w[(3 * n) / 4]!).toBeCloseTo(0.25 ** p, 2);
      expect(Math.max(...w)).toBeLessThanOrEqual(1);
    }
    // across the step it changes smoothly over the window (50 ms), not at once
    const w1 = levelWeights(x, 1);
    expect(w1[n / 2 - 500]!).toBeGreaterThan(0.95);
    expect(w1[n / 2]!).toBeGreaterThan(0.3);
    expect(w1[n / 2]!).toBeLessThan(0.95);
    expect(w1[n / 2 + 500]!).toBeLessThan(0.3);
  });
  it('never lets a sample stop moving (at least 1e-3), even in silence', () => {
    const x = new Float32Array(4000);
    x.fill(0.5, 0, 1000);
    const w = levelWeights(x, 1);
    expect(w[3500]).toBeCloseTo(1e-3, 6);
    expect(levelWeights(new Float32Array(100), 1).every((v) => v === Math.fround(1e-3))).toBe(true); // all silent: nothing to move
  });
  it('refuses a power that is not positive', () => {
    expect(() => levelWeights(new Float32Array(10), 0)).toThrow(/positive power/);
    expect(() => levelWeights(new Float32Array(10), Number.NaN)).toThrow(/positive power/);
  });
});

describe('sampler stepWeights (a diagonal preconditioner)', () => {
  it('moves each sample by its weight times the step, in a deterministic ascent', async () => {
    const prior = new GaussianArPrior(0.5, 0.01);
    const n = 64;
    const init = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / 3));
    const schedule = { sigmaMax: 0.1, sigmaMin: 0.1, levels: 1, stepsPerLevel: 1, etaScale: 0.5 };
    const opts = { schedule, temperature: 0, seed: 1, denoise: false };
    const plain = await sample([{ prior, init }], NoObservation, opts);
    const w = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0.25));
    const weighted = await sample([{ prior, init }], NoObservation, { ...opts, stepWeights: [w] });
    for (let i = 0; i < n; i++) {
      const d0 = plain.x[0]![i]! - init[i]!;
      const d1 = weighted.x[0]![i]! - init[i]!;
      expect(d1).toBeCloseTo(w[i]! * d0, 6);
    }
    expect(plain.x[0]!.some((v, i) => Math.abs(v - init[i]!) > 1e-4)).toBe(true); // it did move
  });
  it('refuses weights of the wrong length', async () => {
    const prior = new GaussianArPrior(0.5, 0.01);
    const schedule = { sigmaMax: 0.1, sigmaMin: 0.1, levels: 1, stepsPerLevel: 1, etaScale: 0.5 };
    await expect(sample([{ prior, init: new Float32Array(8) }], NoObservation, { schedule, seed: 1, stepWeights: [new Float32Array(7)] })).rejects.toThrow(CodedError);
  });
});
