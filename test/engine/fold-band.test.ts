import { describe, expect, it } from 'vitest';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { splineUpsample } from '../../src-main/engine/baselines';
import { bandTaps, filterSame, foldBandTaps } from '../../src-main/engine/fold-band';
import { NoObservation } from '../../src-main/engine/operators';
import { type ModelCard } from '../../src-main/engine/prior';
import { sample } from '../../src-main/engine/sampler';
import { runJob, validateRequest } from '../../src-main/engine/tasks';
import { codeOf } from './coded';

// numpy's numbers for training/reference_sampler.py (fold_band, np.convolve 'same'), which the whole-clip check runs:
//   fold_band(4)[:33]; x = np.random.default_rng(5).standard_normal(40).astype(np.float32); np.convolve(x, fold_band(2), "same")
const FOLD4_HALF = [9.6558008e-20, 3.8087899e-5, -6.3241639e-19, -0.00042976395, -0.0011675453, -0.0013169799, 2.041263e-18, 0.0021935741, 0.0032368179, 0.001937244, 0, 0.00061413739, 0.0040985569, 0.0057434188, 3.7196166e-18, -0.012066983, -0.02084098, -0.016402669, 1.07185e-17, 0.014576173, 0.014367868, 0.003008401, 0, 0.019509254, 0.048497058, 0.050647881, -1.9164395e-17, -0.084618039, -0.14177361, -0.11364307, 5.5009572e-17, 0.13037817, 0.1875];
const X = [-0.8019314, -1.324359, -0.2483616, 0.4204452, 1.136047, 0.1097064, -0.5526473, -0.7847804, 0.7487458, 1.634783, 0.2727688, -1.233329, -0.9582652, 1.600019, 0.2028824, -1.732135, -0.08369619, -1.163226, -0.6292881, -0.4880058, -0.7133134, 0.5533785, -0.06308597, -0.5894313, 0.4096378, 0.8298553, -1.643023, -0.2567301, -0.9807473, -0.1731552, -1.289419, 0.02069039, -0.03788574, -0.3043377, -1.047927, -0.3961903, -1.091329, -1.355209, 0.2247857, -1.10935];
const CONV2 = [-0.1731144, -0.6929882, -0.238734, 0.5325076, 0.7012238, 0.04684575, -0.8040874, -0.8018348, 0.4041727, 1.425065, 0.1814628, -1.66977, -0.4830019, 1.418241, 0.3702556, -0.803911, -0.1314122, 0.2336733, 0.02837855, -0.09295976, 0.004479066, 0.3635654, -0.1572567, -0.653365, 0.3972855, 0.629268, -0.5395508, -0.3412867, 0.5428315, 0.04212682, -0.49518, 0.1428761, 0.3838662, -0.232701, -0.1282656, 0.2237438, -0.1855678, -0.09628268, 0.3245673, -0.08557973];

/** |H(f)| of an FIR at f cycles per sample. */
const gainAt = (h: Float32Array, f: number) => {
  let re = 0, im = 0;
  h.forEach((v, i) => { re += v * Math.cos(2 * Math.PI * f * i); im -= v * Math.sin(2 * Math.PI * f * i); });
  return Math.hypot(re, im);
};

describe('foldBandTaps: the reference sampler\'s band-pass around the fold', () => {
  it('has numpy\'s taps (4x: 65 of them, symmetric)', () => {
    const h = foldBandTaps(4);
    expect(h.length).toBe(65);
    FOLD4_HALF.forEach((v, i) => {
      expect(h[i]!).toBeCloseTo(v, 7);
      expect(h[64 - i]!).toBeCloseTo(v, 7);
    });
  });
  it('passes the fold and stops what is far from it, for any factor', () => {
    for (const k of [2, 3, 4, 8]) {
      const h = foldBandTaps(k);
      const fold = 1 / (2 * k);
      expect(h.length).toBe(16 * k + 1);
      expect(gainAt(h, fold)).toBeGreaterThan(0.99);
      expect(gainAt(h, 0.625 * fold)).toBeCloseTo(0.5, 2);
      expect(gainAt(h, 1.375 * fold)).toBeCloseTo(0.5, 2);
      for (const f of [0, 0.25 * fold, 0.4 * fold, 1.6 * fold, 2 * fold]) expect(gainAt(h, f), `k ${k}, f ${f}`).toBeLessThan(0.01);
    }
  });
  it('refuses what is not a band or not a decimation', () => {
    expect(() => foldBandTaps(1)).toThrow(/factor/);
    expect(() => foldBandTaps(2.5)).toThrow(/factor/);
    expect(() => bandTaps(0.2, 0.1, 33)).toThrow(/band/);
    expect(() => bandTaps(0.1, 0.2, 32)).toThrow(/odd/);
  });
});

describe('filterSame: numpy\'s convolve "same"', () => {
  it('matches it, ends included', () => {
    const got = filterSame(Float32Array.from(X), foldBandTaps(2));
    CONV2.forEach((v, i) => expect(got[i]!).toBeCloseTo(v, 5));
  });
});

describe('sampler stepFilter', () => {
  const prior = new GaussianArPrior(0.5, 0.01);
  const n = 256;
  const init = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / 3) + 0.1 * Math.sin(i * 1.7));
  const schedule = { sigmaMax: 0.1, sigmaMin: 0.1, levels: 1, stepsPerLevel: 1, etaScale: 0.5 };
  const opts = { schedule, temperature: 0, seed: 1, denoise: false };
  it('moves by the filtered (weighted) step, in a deterministic ascent', async () => {
    const plain = await sample([{ prior, init }], NoObservation, opts);
    const h = foldBandTaps(4);
    const w = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 0.25));
    const filtered = await sample([{ prior, init }], NoObservation, { ...opts, stepFilter: h, stepWeights: [w] });
    const want = filterSame(Float32Array.from({ length: n }, (_, i) => w[i]! * (plain.x[0]![i]! - init[i]!)), h);
    for (let i = 0; i < n; i++) expect(filtered.x[0]![i]! - init[i]!).toBeCloseTo(want[i]!, 6);
    expect(want.some((v) => Math.abs(v) > 1e-4)).toBe(true); // it did move
  });
  it('is refused with noise (temperature above 0 or a noisy start) or an even length', async () => {
    const h = foldBandTaps(4);
    for (const bad of [{ temperature: 1 }, { start: 'noise' as const }, { stepFilter: h.subarray(1) }]) {
      expect(await codeOf(sample([{ prior, init }], NoObservation, { ...opts, stepFilter: h, ...bad }))).toBe('BAD_REQUEST');
    }
  });
});

describe('upsample foldBand', () => {
  const rate = 4000;
  // a chord with partials either side of the 2 kHz fold of 4 kHz -> 16 kHz
  const y = Float32Array.from({ length: 800 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.2 * Math.sin((2 * Math.PI * 1800 * i) / rate));
  const prior = (card: object) =>
    Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { sigmaMax: 0.05, sigmaMin: 0.001, etaScale: 0.05 } }), {
      card: { taskPresets: { upsample: { standard: { levels: 2, stepsPerLevel: 3, etaScale: 1 } } }, warmStart: { upsample: 0.05 }, ...card } as unknown as ModelCard,
    });
  const job = (card: object, extra = {}) =>
    runJob({ kind: 'upsample', audio: { sampleRate: rate, channels: [y] }, factor: 4, preset: 'standard', ...extra }, { priors: { get: async () => prior(card) } });

  it('moves the spline only around the fold (the card\'s setting, or a request), keeping every observed sample', async () => {
    const spline = splineUpsample(y, 4, 4 * y.length);
    const plain = await job({ temperature: { upsample: 0 } });
    const fromCard = await job({ temperature: { upsample: 0 }, foldBand: { upsample: true } });
    const fromReq = await job({ temperature: { upsample: 0 } }, { foldBand: true });
    expect(Array.from(fromReq.tracks.audio![0]!)).toEqual(Array.from(fromCard.tracks.audio![0]!));
    expect(fromCard.notes.join(' ')).toMatch(/band-passed around the 2000 Hz fold of the 4x decimation/);
    const move = (r: typeof plain) => Float32Array.from(r.tracks.audio![0]!, (v, i) => v - spline[i]!);
    /** The move's energy in [f0, f1) Hz at 16 kHz, by a plain DFT. */
    const energy = (d: Float32Array, f0: number, f1: number) => {
      let e = 0;
      for (let f = f0; f < f1; f += 20) e += gainAt(d, f / 16000) ** 2;
      return e;
    };
    const [p, f] = [move(plain), move(fromCard)];
    expect(energy(p, 0, 8000)).toBeGreaterThan(0); // the plain ascent moved
    // the filtered ascent moves the fold's band (1-3 kHz) and, as every 4th sample stays pinned, its images
    // 4 kHz away (5-7 kHz): hardly anything below 1 kHz, from 3 to 5 kHz or above 7 kHz; the plain one does
    const outside = (d: Float32Array) => energy(d, 0, 800) + energy(d, 3200, 4800) + energy(d, 7200, 8000);
    const share = (d: Float32Array) => outside(d) / energy(d, 800, 3200);
    expect(share(f)).toBeLessThan(0.01); // (0.001 here)
    expect(share(p)).toBeGreaterThan(20 * share(f)); // (0.13)
    for (let j = 0; j < y.length; j++) expect(fromCard.tracks.audio![0]![4 * j]).toBe(y[j]);
  });

  it('is refused in words where it does not apply: with lowpass, at a sampling temperature, not a boolean', async () => {
    const base = { kind: 'upsample' as const, audio: { sampleRate: rate, channels: [y] }, factor: 4 };
    expect(() => validateRequest({ ...base, foldBand: true, lowpass: true })).toThrow(/pure decimation/);
    expect(() => validateRequest({ ...base, foldBand: 'yes' as unknown as boolean })).toThrow(/true or false/);
    await expect(job({ temperature: { upsample: 1 } }, { foldBand: true })).rejects.toThrow(/deterministic ascent/);
    // a card's fold band is simply not used with a low-pass observation (a soft constraint)
    const lp = await job({ temperature: { upsample: 0 }, foldBand: { upsample: true } }, { lowpass: true });
    expect(lp.notes.join(' ')).not.toMatch(/band-passed/);
  });
});
