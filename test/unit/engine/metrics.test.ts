import { describe, it, expect } from 'vitest';
import { snr, siSdr, lsd } from '../../../src-shared/audio/metrics';

describe('metrics', () => {
  it('snr against hand-computed values', () => {
    // ref energy 1+4+9 = 14, error energy 0.01+0+0.04 = 0.05 -> 10 log10(280) = 24.4716 dB
    expect(snr([1, 2, 3], [1.1, 2, 2.8])).toBeCloseTo(24.4716, 3);
    // est = 0 -> 0 dB
    expect(snr([1, -1], [0, 0])).toBeCloseTo(0, 10);
    expect(snr([1, 2], [1, 2])).toBe(Infinity);
  });

  it('si-sdr: scale invariant, hand-computed value', () => {
    const ref = [1, -1, 1, -1];
    expect(siSdr(ref, ref.map((v) => 3 * v))).toBe(Infinity);
    // est = ref + n, n = [1, 1, -1, -1] orthogonal to ref, both zero-mean: target = ref, noise = n -> 0 dB
    expect(siSdr(ref, [2, 0, 0, -2])).toBeCloseTo(0, 10);
    // est = 2 ref + n: target 2 ref (energy 16), noise energy 4 -> 10 log10 4 = 6.0206 dB
    expect(siSdr(ref, [3, -1, 1, -3])).toBeCloseTo(6.0206, 3);
    // scaling est does not change it
    expect(siSdr(ref, [6, -2, 2, -6])).toBeCloseTo(6.0206, 3);
  });

  it('lsd: 0 for identical, log10 of the power ratio for a scaled copy', () => {
    const n = 4096;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.3) + 0.5 * Math.sin(i * 1.7) + 0.01 * Math.cos(i * 2.9));
    expect(lsd(x, x, 16000, { fftSize: 256 })).toBeCloseTo(0, 8);
    // est = 10 x -> power x100 -> log10 difference 2 in every bin (eps negligible here) -> LSD = 2
    const y = x.map((v) => 10 * v);
    expect(lsd(x, y, 16000, { fftSize: 256 })).toBeCloseTo(2, 2);
    expect(Number.isNaN(lsd([1, 2], [1, 2], 16000))).toBe(true);
  });
});
