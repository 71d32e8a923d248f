import { describe, expect, it } from 'vitest';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { levelWeights } from '../../src-main/engine/level-weights';
import { sample } from '../../src-main/engine/sampler';
import { NoObservation } from '../../src-main/engine/operators';
import { CodedError } from '../../src-shared/ipc/result';

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
