import { describe, expect, it } from 'vitest';
import { spliceRegion } from '../../../src-shared/audio/splice';

describe('spliceRegion', () => {
  const base = [Float32Array.from({ length: 100 }, (_, i) => i / 100)];
  const fill = [new Float32Array(100).fill(-1)];
  it('keeps the outside bit-exact and the inside from the fill', () => {
    const out = spliceRegion(base, fill, 20, 60, 4);
    for (let i = 0; i < 20; i++) expect(out[0]![i]).toBe(base[0]![i]);
    for (let i = 60; i < 100; i++) expect(out[0]![i]).toBe(base[0]![i]);
    for (let i = 24; i < 56; i++) expect(out[0]![i]).toBe(-1);
    // crossfade samples lie between the two
    expect(out[0]![20]).toBeGreaterThan(-1);
    expect(out[0]![20]).toBeLessThan(base[0]![20]! + 1e-6);
    expect(base[0]![30]).toBeCloseTo(0.3); // input untouched
  });
  it('rejects mismatched shapes and clamps the range', () => {
    expect(() => spliceRegion(base, [new Float32Array(5)], 0, 1, 0)).toThrow();
    const out = spliceRegion(base, fill, -10, 1000, 0);
    expect(Array.from(out[0]!).every((v) => v === -1)).toBe(true);
  });
});
