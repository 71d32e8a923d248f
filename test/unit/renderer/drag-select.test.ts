import { describe, expect, it } from 'vitest';
import { edgeAt, spanBetween, timeAt } from '../../../src-renderer/lib/drag-select';

const view = { start: 10, end: 20 }; // 10 s over 1000 px: 100 px a second

describe('drag selection', () => {
  it('maps pixels to the view\'s seconds, kept inside the view', () => {
    expect(timeAt(0, 1000, view)).toBe(10);
    expect(timeAt(250, 1000, view)).toBeCloseTo(12.5, 12);
    expect(timeAt(-40, 1000, view)).toBe(10);
    expect(timeAt(5000, 1000, view)).toBe(20);
    expect(timeAt(10, 0, view)).toBe(10); // a view with no width yet
  });
  it('selects between the press and the pointer in either direction', () => {
    expect(spanBetween(12, 15)).toEqual({ start: 12, end: 15 });
    expect(spanBetween(15, 12)).toEqual({ start: 12, end: 15 });
  });
  it('grabs the nearer edge of the selection within a few pixels, and nothing elsewhere', () => {
    const sel = { start: 12, end: 15 }; // at 200 and 500 px
    expect(edgeAt(203, 1000, view, sel)).toBe('start');
    expect(edgeAt(196, 1000, view, sel)).toBe('start');
    expect(edgeAt(495, 1000, view, sel)).toBe('end');
    expect(edgeAt(350, 1000, view, sel)).toBeNull();
    expect(edgeAt(190, 1000, view, sel)).toBeNull();
    expect(edgeAt(200, 1000, view, null)).toBeNull();
    // a selection a few pixels wide: the nearer edge wins
    expect(edgeAt(201, 1000, view, { start: 12, end: 12.04 })).toBe('start');
    expect(edgeAt(203, 1000, view, { start: 12, end: 12.04 })).toBe('end');
  });
});
