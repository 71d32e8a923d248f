import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { splineSelfError, splineUpsample } from '../../src-main/engine/baselines';
import { CardSchema, type ModelCard } from '../../src-main/engine/prior';
import { runJob, upsampleStart } from '../../src-main/engine/tasks';

const sine = (n: number, f: number, a = 0.5) => Float32Array.from({ length: n }, (_, i) => a * Math.sin(2 * Math.PI * f * i));

describe('splineSelfError: the spline\'s error on a signal, from the signal alone', () => {
  it('is the RMS error of the spline through every other sample, at the samples it left out', () => {
    const y = sine(401, 0.13);
    const s = splineUpsample(y.filter((_, i) => i % 2 === 0), 2, y.length);
    let e = 0;
    for (let i = 1; i < 400; i += 2) e += (y[i]! - s[i]!) ** 2;
    expect(splineSelfError(y)).toBeCloseTo(Math.sqrt(e / 200), 9);
  });
  it('is zero where the spline is exact (a cubic), grows with frequency and scales with the level', () => {
    const cubic = Float32Array.from({ length: 300 }, (_, i) => 1e-7 * (i - 100) ** 3 + 1e-4 * i);
    expect(splineSelfError(cubic)).toBeLessThan(1e-6);
    const [lo, hi] = [splineSelfError(sine(2000, 0.02)), splineSelfError(sine(2000, 0.15))];
    expect(hi).toBeGreaterThan(100 * lo);
    expect(splineSelfError(sine(2000, 0.15, 0.05))).toBeCloseTo(hi / 10, 6);
  });
  it('is 0 for too few samples to judge', () => {
    for (const n of [0, 1, 2]) expect(splineSelfError(new Float32Array(n).fill(0.3))).toBe(0);
  });
});

describe('upsampleStart: where the ascent starts', () => {
  const y = sine(1000, 0.15);
  it('is the plan\'s start without a card ratio, else the smaller of it and ratio x the self-error', () => {
    expect(upsampleStart(0.005, undefined, y)).toEqual({ sigma: 0.005, selfError: null });
    const e = splineSelfError(y);
    expect(upsampleStart(0.005, 0.25, y)).toEqual({ sigma: Math.min(0.005, 0.25 * e), selfError: e });
    expect(upsampleStart(1e-9, 0.25, y).sigma).toBe(1e-9);
  });
  it('the card schema takes a positive ratio only', () => {
    const tiny = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/models/tiny.json'), 'utf8')) as Record<string, unknown>;
    const card = (r: unknown) => CardSchema.safeParse({ ...tiny, splineErrorStart: { upsample: r } }).success;
    expect([card(0.2), card(0), card(-1), card('0.2')]).toEqual([true, false, false, false]);
  });
});

describe('upsample with the card\'s splineErrorStart', () => {
  const rate = 4000;
  // smooth: a low tone the spline fits to ~1e-6; busy: partials near the 2 kHz fold the spline misses by ~1e-2
  const smooth = sine(800, 100 / rate, 0.3);
  const busy = Float32Array.from({ length: 800 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 1800 * i) / rate));
  const prior = (card: object) =>
    Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { sigmaMax: 0.05, sigmaMin: 0.001, etaScale: 0.05 } }), {
      card: { taskPresets: { upsample: { standard: { levels: 2, stepsPerLevel: 3, etaScale: 1 } } }, warmStart: { upsample: 0.05 }, temperature: { upsample: 0 }, ...card } as unknown as ModelCard,
    });
  // a ratio that starts the busy clip at sigma 0.01: between the schedule's last sigma (0.001) and the warm start (0.05)
  const ratio = 0.01 / splineSelfError(busy);
  const job = (channels: Float32Array[], card: object, extra = {}) =>
    runJob({ kind: 'upsample', audio: { sampleRate: rate, channels }, factor: 4, preset: 'standard', ...extra }, { priors: { get: async () => prior(card) } });

  it('returns the spline unchanged, and says why, where the spline already fits closer than the finest noise level', async () => {
    const r = await job([smooth], { splineErrorStart: { upsample: 0.25 } });
    expect(Array.from(r.tracks.audio![0]!)).toEqual(Array.from(splineUpsample(smooth, 4, 4 * smooth.length)));
    expect(r.notes.join(' ')).toMatch(/The cubic spline already fits closer .* than the model's finest noise level \(0.001\): the spline is returned unchanged/);
    expect(r.sampleUpdates).toBe(0);
    // without the card's ratio the same clip is moved by the ascent
    const plain = await job([smooth], {});
    expect(plain.sampleUpdates).toBeGreaterThan(0);
    expect(plain.notes.join(' ')).not.toMatch(/already fits closer/);
  });

  it('starts a busy clip lower than the warm start (and says so), so it moves less than from the warm start', async () => {
    const spline = splineUpsample(busy, 4, 4 * busy.length);
    expect(upsampleStart(0.05, ratio, busy).sigma).toBeCloseTo(0.01, 9);
    const [low, plain] = [await job([busy], { splineErrorStart: { upsample: ratio } }), await job([busy], {})];
    expect(low.notes.join(' ')).toMatch(/ascent starts at sigma 1.0e-2, below the model's 0.05: the cubic spline's own error on this clip is/);
    const dist = (x: Float32Array) => Math.sqrt(x.reduce((s, v, i) => s + (v - spline[i]!) ** 2, 0));
    expect(dist(low.tracks.audio![0]!)).toBeGreaterThan(0);
    expect(dist(low.tracks.audio![0]!)).toBeLessThan(dist(plain.tracks.audio![0]!));
    for (let j = 0; j < busy.length; j++) expect(low.tracks.audio![0]![4 * j]).toBe(busy[j]);
  });

  it('decides per channel, naming the channel; a low-pass observation ignores it', async () => {
    const r = await job([smooth, busy], { splineErrorStart: { upsample: ratio } });
    expect(r.notes.join(' ')).toMatch(/Channel 1: the cubic spline already fits closer/);
    expect(r.notes.join(' ')).toMatch(/Channel 2: the ascent starts at sigma/);
    expect(Array.from(r.tracks.audio![0]!)).toEqual(Array.from(splineUpsample(smooth, 4, 4 * smooth.length)));
    expect(r.tracks.audio![1]!.length).toBe(4 * busy.length);
    expect(Array.from(r.tracks.audio![1]!)).toEqual(Array.from((await job([busy], { splineErrorStart: { upsample: ratio } })).tracks.audio![0]!));
    const lp = await job([smooth], { splineErrorStart: { upsample: ratio } }, { lowpass: true });
    expect(lp.notes.join(' ')).not.toMatch(/already fits closer|ascent starts at/);
    expect(lp.sampleUpdates).toBeGreaterThan(0);
  });
});

describe('upsample with the card\'s ascentFactors', () => {
  const rate = 4000;
  const y = Float32Array.from({ length: 800 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 1800 * i) / rate));
  const prior = (card: object) =>
    Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { sigmaMax: 0.05, sigmaMin: 0.001, etaScale: 0.05 } }), {
      card: { taskPresets: { upsample: { standard: { levels: 2, stepsPerLevel: 3, etaScale: 1 } } }, warmStart: { upsample: 0.05 }, temperature: { upsample: 0 }, ...card } as unknown as ModelCard,
    });
  const job = (factor: number, card: object, extra = {}) =>
    runJob({ kind: 'upsample', audio: { sampleRate: 16000 / factor, channels: [y, y.map((v) => -v)] }, factor, preset: 'standard', ...extra }, { priors: { get: async () => prior(card) } });

  it('returns the spline, saying why, at a factor the card does not list; runs the ascent at one it lists', async () => {
    const card = { ascentFactors: { upsample: [4, 8] } };
    const two = await job(2, card);
    expect(two.notes.join(' ')).toMatch(/model was measured to improve on the cubic spline only at 4x and 8x \(not at 2x\), so the cubic spline is returned unchanged/);
    expect(two.sampleUpdates).toBe(0);
    two.tracks.audio!.forEach((ch, c) => expect(Array.from(ch)).toEqual(Array.from(splineUpsample(c ? y.map((v) => -v) : y, 2, 2 * y.length))));
    expect(two.reports[0]!.snrVsBaselineDb).toBe(Infinity);
    const four = await job(4, card);
    expect(four.sampleUpdates).toBeGreaterThan(0);
    expect(four.notes.join(' ')).not.toMatch(/improve on the cubic spline only/);
    // an unmeasured factor is named as such; three listed factors read as a list
    expect((await job(2, { ascentFactors: { upsample: [4, 8, 16] } })).notes.join(' ')).toMatch(/only at 4x, 8x and 16x \(not at 2x\)/);
    // without the field the ascent runs at every factor; a low-pass observation is not limited by it
    expect((await job(2, {})).sampleUpdates).toBeGreaterThan(0);
    expect((await job(2, card, { lowpass: true })).sampleUpdates).toBeGreaterThan(0);
  });
  it('the card schema takes a list of whole factors of at least 2', () => {
    const tiny = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/models/tiny.json'), 'utf8')) as Record<string, unknown>;
    const card = (f: unknown) => CardSchema.safeParse({ ...tiny, ascentFactors: { upsample: f } }).success;
    expect([card([4, 8]), card([2]), card([]), card([1]), card([2.5]), card(4)]).toEqual([true, true, false, false, false, false]);
  });
});
