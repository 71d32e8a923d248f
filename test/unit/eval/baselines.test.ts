import { describe, it, expect } from 'vitest';
import { linearUpsample, sincUpsample, oracleIrm, stftRoundTrip, linearFill, janssenFill } from '../../../bench/eval/baselines';
import { lpcFill, splineUpsample } from '../../../src-main/engine/baselines';
import { snr, siSdr } from '../../../src-shared/audio/metrics';

const sine = (n: number, f: number, rate: number, amp = 0.5, phase = 0) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate + phase));

describe('eval baselines: interpolation', () => {
  it('linear upsampling passes through the samples and is exact on a ramp', () => {
    const y = Float32Array.from([0, 1, 2, 3, 4]);
    const out = linearUpsample(y, 4, 17);
    for (let i = 0; i <= 16; i++) expect(out[i]).toBeCloseTo(i / 4, 6);
  });

  it('windowed-sinc upsampling passes through the samples and reconstructs a band-limited sine (> 60 dB away from the edges)', () => {
    const rate = 16000;
    const k = 4;
    const x = sine(8000, 440, rate, 0.5, 0.3).map((v, i) => v + 0.3 * Math.sin((2 * Math.PI * 1300 * i) / rate));
    const y = Float32Array.from({ length: x.length / k }, (_, j) => x[j * k]!);
    const out = sincUpsample(y, k, x.length);
    for (let j = 0; j < y.length; j++) expect(out[j * k]).toBe(y[j]);
    const mid = [1000, 7000] as const; // away from the clip edges (zeros outside)
    expect(snr(x.subarray(...mid), out.subarray(...mid))).toBeGreaterThan(60);
    // linear interpolation is far worse on the same signal
    expect(snr(x.subarray(...mid), linearUpsample(y, k, x.length).subarray(...mid))).toBeLessThan(30);
  });
});

describe('cubic spline (the upsampling warm start and baseline)', () => {
  it('matches scipy CubicSpline (not-a-knot), including the extension past the last knot', () => {
    // scipy.interpolate.CubicSpline(arange(7) * 3, y)(arange(21)), scipy 1.x
    const y = Float32Array.from([0, 1, 0, -1, 0.5, 2, -0.3]);
    const scipy = [0, 0.650132, 0.96455, 1, 0.813228, 0.460979, 0, -0.495635, -0.88254, -1, -0.738095, -0.190079, 0.5, 1.188757, 1.73545, 2, 1.842328, 1.122354, -0.3, -2.564815, -5.812169];
    const out = splineUpsample(y, 3, 21);
    scipy.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
    // three knots: one parabola (scipy: CubicSpline(arange(3) * 2, y)(arange(6)))
    const par = splineUpsample(Float32Array.from([0.2, -0.4, 0.9]), 2, 6);
    [0.2, -0.3375, -0.4, 0.0125, 0.9, 2.2625].forEach((v, i) => expect(par[i]).toBeCloseTo(v, 6));
  });

  it('passes through every knot and reproduces a cubic exactly over a long signal', () => {
    const k = 4, m = 5000;
    const f = (i: number) => { const t = i / (m * k) - 0.4; return 0.8 * t * t * t - 0.3 * t * t + 0.1 * t - 0.05; };
    const y = Float32Array.from({ length: m }, (_, j) => f(j * k));
    const out = splineUpsample(y, k, m * k);
    for (let j = 0; j < m; j++) expect(out[j * k]).toBe(y[j]);
    let worst = 0;
    for (let i = 0; i < m * k; i++) worst = Math.max(worst, Math.abs(out[i]! - f(i)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('tiny inputs: empty, one sample, two samples (a line)', () => {
    expect(splineUpsample(new Float32Array(0), 4, 0).length).toBe(0);
    expect(Array.from(splineUpsample(Float32Array.of(0.5), 4, 4))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(splineUpsample(Float32Array.of(0, 1), 4, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('eval baselines: oracle ideal ratio mask', () => {
  it('the STFT round trip reconstructs the input', () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.05) * Math.cos(i * 0.0031) + 0.1 * Math.sin(i * 1.3));
    expect(snr(x, stftRoundTrip(x))).toBeGreaterThan(100);
  });

  it('separates two sources with disjoint spectra almost perfectly, and the estimates sum to the mixture', () => {
    const rate = 16000;
    const a = sine(16000, 220, rate, 0.5);
    const b = sine(16000, 3000, rate, 0.3);
    const [ea, eb] = oracleIrm(a, b);
    expect(siSdr(a, ea)).toBeGreaterThan(30);
    expect(siSdr(b, eb)).toBeGreaterThan(30);
    const mix = a.map((v, i) => v + b[i]!);
    expect(snr(mix, ea.map((v, i) => v + eb[i]!))).toBeGreaterThan(100);
  });

  it('a silent source gets silence and the other gets the mixture', () => {
    const a = sine(4096, 500, 16000);
    const [ea, eb] = oracleIrm(a, new Float32Array(4096));
    expect(snr(a, ea)).toBeGreaterThan(100);
    expect(Math.max(...eb.map(Math.abs))).toBeLessThan(1e-6);
  });
});

describe('eval baselines: gap fills', () => {
  it('linear fill draws the straight line between the gap edges', () => {
    const x = Float32Array.from([0, 0, 0, 9, 9, 9, 4, 4]);
    const out = linearFill(x, 3, 6); // edges x[2] = 0 and x[6] = 4
    expect(Array.from(out.subarray(3, 6))).toEqual([1, 2, 3]);
    expect(out[2]).toBe(0);
    expect(out[6]).toBe(4);
  });

  it('LPC fill (engine) and Janssen fill recover a sine across a gap (a perfect AR(2) process)', () => {
    const x = sine(6000, 440, 16000, 0.5, 0.1).map((v, i) => v + 0.2 * Math.sin(i * 0.37));
    const a = 3000;
    const b = 3400; // 25 ms
    const holed = x.slice();
    holed.fill(0, a, b);
    const gapSnr = (est: Float32Array) => snr(x.subarray(a, b), est.subarray(a, b));
    expect(gapSnr(lpcFill(holed, a, b))).toBeGreaterThan(20); // autocorrelation-method bias limits it
    expect(gapSnr(janssenFill(holed, a, b))).toBeGreaterThan(30);
    // samples outside the gap are untouched
    const j = janssenFill(holed, a, b);
    expect(j[a - 1]).toBe(holed[a - 1]);
    expect(j[b]).toBe(holed[b]);
    // and both beat the straight line by far
    expect(gapSnr(linearFill(holed, a, b))).toBeLessThan(5);
  });

  it('Janssen fill stays finite on a long gap in noise', () => {
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) - 0.5;
    const x = Float32Array.from({ length: 20000 }, () => 0.3 * rnd());
    const out = janssenFill(x, 6000, 14000, 16, 2);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
  });
});
