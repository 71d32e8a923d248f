import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../../src-renderer/lib/pacer';

describe('Pacer', () => {
  afterEach(() => vi.restoreAllMocks());
  it('lets the first run go at once and spaces the next by twice the last run', () => {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const p = new Pacer();
    expect(p.delay()).toBe(0);
    const t0 = now;
    now += 150; // a run that cost 150 ms
    p.ran(t0);
    expect(p.delay()).toBe(300);
    now += 200;
    expect(p.delay()).toBe(100);
    now += 500;
    expect(p.delay()).toBe(0);
  });
});
