import { describe, expect, it } from 'vitest';
import { spreadBand, writePreview } from '../../../src-shared/audio/display';

describe('writePreview', () => {
  it('copies directly at the same rate', () => {
    const target = new Float32Array(10);
    const r = writePreview(target, 16000, Float32Array.from([1, 2, 3]), 4, 16000);
    expect(r).toEqual({ from: 4, to: 7 });
    expect(Array.from(target)).toEqual([0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
  });
  it('resamples linearly to a higher display rate and stays in bounds', () => {
    const target = new Float32Array(8);
    writePreview(target, 2, Float32Array.from([0, 1, 0]), 1, 1); // preview covers t=1..3 s
    expect(Array.from(target.slice(2, 7))).toEqual([0, 0.5, 1, 0.5, 0]);
    const small = new Float32Array(3);
    const r = writePreview(small, 16000, new Float32Array(100).fill(1), 0, 16000);
    expect(r.to).toBe(3);
  });
  it('writes zeros for NaN', () => {
    const target = new Float32Array(2).fill(5);
    writePreview(target, 1, Float32Array.from([Number.NaN, Number.NaN]), 0, 1);
    expect(Array.from(target)).toEqual([0, 0]);
  });
});

describe('spreadBand', () => {
  it('is zero where alternatives agree and positive where they differ', () => {
    const a = Float32Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const b = Float32Array.from([0, 0, 0, 0, -1, -1, -1, -1]);
    const band = spreadBand([a, b], 0, 8, 2);
    expect(band.std[0]).toBe(0);
    expect(band.std[1]).toBeCloseTo(1);
    expect(band.lo[1]).toBeCloseTo(-1);
    expect(band.hi[1]).toBeCloseTo(1);
  });
});
