import { describe, expect, it } from 'vitest';
import { clampStart, zoomedView } from '../../../src-renderer/lib/view-span';

describe('the project view', () => {
  it('keeps a view inside the project', () => {
    expect(clampStart(-3, 10, 20)).toBe(0);
    expect(clampStart(15, 10, 20)).toBe(10);
    expect(clampStart(4, 10, 20)).toBe(4);
    expect(clampStart(4, 30, 20)).toBe(0); // a view wider than the project starts at 0
    expect(clampStart(Number.NaN, 10, 20)).toBe(0);
  });
  it('zooms about the playhead when it is in view, so it stays where it is on screen', () => {
    const v = zoomedView({ start: 10, seconds: 10 }, 5, 18, 60);
    expect(v.seconds).toBe(5);
    expect((18 - v.start) / v.seconds).toBeCloseTo((18 - 10) / 10, 12);
  });
  it('zooms about the centre when the playhead is out of view', () => {
    const v = zoomedView({ start: 10, seconds: 10 }, 4, 2, 60);
    expect(v.start + v.seconds / 2).toBeCloseTo(15, 12);
  });
  it('a zoom out that would run past either end of the project is brought back inside it', () => {
    expect(zoomedView({ start: 10, seconds: 10 }, 20, 18, 20)).toEqual({ start: 0, seconds: 20 });
    expect(zoomedView({ start: 15, seconds: 5 }, 10, 1, 20)).toEqual({ start: 10, seconds: 10 });
    expect(zoomedView({ start: 0, seconds: 5 }, 10, 4, 20)).toEqual({ start: 0, seconds: 10 });
  });
});

describe('the project view at the end of the project', () => {
  it('a playhead at the very end of the view (after playing to the end) is in view: the zoom keeps it there', () => {
    const v = zoomedView({ start: 10, seconds: 10 }, 5, 20, 20);
    expect(v).toEqual({ start: 15, seconds: 5 });
  });
});
