import { describe, expect, it } from 'vitest';
import { acceptedFrames, acceptFill, acceptFillInPlace, checkAcceptFill, placePatch, spliceRegion } from '../../../src-shared/audio/splice';

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
    expect(() => spliceRegion(base, [new Float32Array(5)], 0, 10, 0)).toThrow('does not cover');
    expect(() => spliceRegion(base, [], 0, 10, 0)).toThrow('channel counts differ');
    const out = spliceRegion(base, fill, -10, 1000, 0);
    expect(Array.from(out[0]!).every((v) => v === -1)).toBe(true);
  });
  it('takes a fill that holds only the stretch around the region (at its offset) exactly as the whole clip', () => {
    const whole = spliceRegion(base, fill, 20, 60, 4);
    const part = spliceRegion(base, [fill[0]!.slice(15, 70)], 20, 60, 4, 15);
    expect(part).toEqual(whole);
    expect(acceptFill(base, [fill[0]!.slice(15, 70)], 15, 0.2, 0.6, 100)).toEqual(spliceRegion(base, fill, 20, 60, Math.round(0.003 * 100)));
    // a stretch that does not cover the region is refused, not read past its end
    expect(() => spliceRegion(base, [fill[0]!.slice(25, 70)], 20, 60, 4, 25)).toThrow('does not cover');
    expect(() => spliceRegion(base, [fill[0]!.slice(15, 50)], 20, 60, 4, 15)).toThrow('does not cover');
  });
});

describe('acceptFillInPlace', () => {
  it('on the whole track or on a stretch holding the region, gives exactly what acceptFill does', () => {
    const sr = 44100;
    const base = [0, 1].map((c) => new Float32Array(sr).map((_, i) => Math.sin(i * 0.01 + c)));
    const fill = [0, 1].map((c) => new Float32Array(9000).map((_, i) => 0.5 * Math.cos(i * 0.07 + c)));
    const [start, end, offset] = [0.25, 0.3, 10_000];
    const want = acceptFill(base, fill, offset, start, end, sr);
    const whole = base.map((c) => c.slice());
    acceptFillInPlace(whole, fill, offset, start, end, sr);
    whole.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer), Buffer.from(want[i]!.buffer))).toBe(0));
    const { a, b } = acceptedFrames(start, end, sr, sr);
    const at = a - 37;
    const stretch = base.map((c) => c.slice(at, b + 11));
    acceptFillInPlace(stretch, fill, offset, start, end, sr, { at, frames: sr });
    stretch.forEach((c, i) => expect(Array.from(c)).toEqual(Array.from(want[i]!.subarray(at, b + 11))));
    // a stretch short of the region is refused
    expect(() => acceptFillInPlace(base.map((c) => c.slice(a + 1, b)), fill, offset, start, end, sr, { at: a + 1, frames: sr })).toThrow('does not hold');
    // the check without samples agrees with acceptFill about what fits
    expect(() => checkAcceptFill(sr, 2, fill, offset, start, end, sr)).not.toThrow();
    expect(() => checkAcceptFill(sr, 2, fill, a + 5, start, end, sr)).toThrow('does not cover');
    expect(() => checkAcceptFill(sr, 1, fill, offset, start, end, sr)).toThrow('channel counts');
  });

  it('a fill that meets the clip start or end replaces it to the last frame (no fade back to what it fills)', () => {
    const sr = 48000;
    const base = [new Float32Array(sr).fill(0.99)];
    const fill = [new Float32Array(sr).fill(-0.1)];
    const atEnd = acceptFill(base, fill, 0, 0.98, 1, sr)[0]!;
    const atStart = acceptFill(base, fill, 0, 0, 0.02, sr)[0]!;
    expect(atEnd.subarray(Math.floor(0.985 * sr)).every((v) => v === Math.fround(-0.1))).toBe(true);
    expect(atStart.subarray(0, Math.floor(0.015 * sr)).every((v) => v === Math.fround(-0.1))).toBe(true);
    // inside the clip both edges still cross-fade
    const inside = acceptFill(base, fill, 0, 0.5, 0.52, sr)[0]!;
    expect(inside[0.5 * sr]).toBeGreaterThan(0.5);
    // and a stretch ending at the region (the project store's read) agrees with the whole clip
    const stretch = [base[0]!.slice(0.9 * sr)];
    acceptFillInPlace(stretch, fill, 0, 0.98, 1, sr, { at: 0.9 * sr, frames: sr });
    expect(Array.from(stretch[0]!)).toEqual(Array.from(atEnd.subarray(0.9 * sr)));
    const mid = [base[0]!.slice(0.4 * sr, 0.52 * sr)]; // ends where the region ends, the clip goes on
    acceptFillInPlace(mid, fill, 0, 0.5, 0.52, sr, { at: 0.4 * sr, frames: sr });
    expect(Array.from(mid[0]!)).toEqual(Array.from(inside.subarray(0.4 * sr, 0.52 * sr)));
  });
});

describe('placePatch', () => {
  it('writes a patch over a copy of the base at its offset, clipping what falls outside', () => {
    const base = [Float32Array.from([1, 2, 3, 4, 5]), Float32Array.from([6, 7, 8, 9, 10])];
    const patch = [Float32Array.from([-1, -2]), Float32Array.from([-3, -4])];
    expect(placePatch(base, patch, 2).map((c) => Array.from(c))).toEqual([[1, 2, -1, -2, 5], [6, 7, -3, -4, 10]]);
    expect(placePatch(base, patch, -1).map((c) => Array.from(c))).toEqual([[-2, 2, 3, 4, 5], [-4, 7, 8, 9, 10]]);
    expect(placePatch(base, patch, 4).map((c) => Array.from(c))).toEqual([[1, 2, 3, 4, -1], [6, 7, 8, 9, -3]]);
    expect(placePatch(base, patch, 9).map((c) => Array.from(c))).toEqual(base.map((c) => Array.from(c)));
    expect(Array.from(base[0]!)).toEqual([1, 2, 3, 4, 5]); // the base is never written
    expect(() => placePatch(base, [patch[0]!], 0)).toThrow('channel counts differ');
  });
});
