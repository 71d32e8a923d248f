import { describe, expect, it } from 'vitest';
import { describeReport } from '../../../src-shared/engine/progress';

const base = { track: 'audio', snrVsBaselineDb: 21.3, baseline: 'cubic spline' };
describe('describeReport', () => {
  it('says plainly when the baseline is rated higher', () => {
    const r = describeReport({ ...base, meanLogpOutput: 1.0, meanLogpBaseline: 1.5 })!;
    expect(r.warn).toBe(true);
    expect(r.text).toContain('may be worse than the cubic spline');
    expect(r.text).toContain('21.3 dB');
  });
  it('is quiet when the result is rated higher, and null without a baseline', () => {
    expect(describeReport({ ...base, meanLogpOutput: 2, meanLogpBaseline: 1.5 })!.warn).toBe(false);
    // a difference below the shown precision is a tie, not a warning
    const tie = describeReport({ ...base, meanLogpOutput: 1.5 - 0.001, meanLogpBaseline: 1.5 })!;
    expect(tie.warn).toBe(false);
    expect(tie.text).toMatch(/alike \(-0\.001 nats\/sample\)/);
    expect(describeReport({ ...base, meanLogpOutput: 1.5 - 0.006, meanLogpBaseline: 1.5 })!.warn).toBe(true);
    expect(describeReport({ ...base, baseline: null, meanLogpOutput: null, meanLogpBaseline: null })).toBeNull();
  });
});
