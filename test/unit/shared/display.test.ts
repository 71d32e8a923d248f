import { describe, expect, it } from 'vitest';
import { spreadBand, spreadBands, writePreview } from '../../../src-shared/audio/display';

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

describe('spreadBands: one band per row the waveform view draws', () => {
  const same = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
  const up = Float32Array.from([1, 1, 1, 1]);
  const down = Float32Array.from([-1, -1, -1, -1]);
  it('stereo: each channel its own band (the alternatives may agree on one and not the other)', () => {
    const bands = spreadBands([[same, up], [same, down]], 0, 4, 2);
    expect(bands).toHaveLength(2);
    expect(bands[0]!.std[0]).toBe(0);
    expect(bands[0]!.lo[0]).toBeCloseTo(0.5);
    expect(bands[1]!.std[0]).toBeCloseTo(1);
  });
  it('mono: one band', () => {
    expect(spreadBands([[up], [down]], 0, 4, 2)).toHaveLength(1);
  });
  it('3 to 8 channels: one band, of the channels\' mean (the view draws them as one row)', () => {
    const bands = spreadBands([[up, up, up], [down, down, down]], 0, 4, 1);
    expect(bands).toHaveLength(1);
    expect(bands[0]!.std[0]).toBeCloseTo(1);
    const cancel = spreadBands([[up, down, same], [down, up, same]], 0, 4, 1);
    expect(cancel[0]!.std[0]).toBeCloseTo(0, 6);
  });
});
