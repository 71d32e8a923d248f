import { describe, expect, it } from 'vitest';
import { describeReport, describeReports, fromBaseline, outputLabel } from '../../../src-shared/engine/progress';

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

describe('describeReports', () => {
  const fill = (track: string, snr: number, out: number) => ({
    track,
    snrVsBaselineDb: snr,
    baseline: 'LPC extrapolation fill',
    meanLogpOutput: out,
    meanLogpBaseline: 1.5,
  });
  it('folds alternatives warned against one baseline into one line with their ranges', () => {
    const lines = describeReports([fill('alt1', 10.31, 1.35), fill('alt2', 10.44, 1.349), fill('alt3', 10.3, 1.35)]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.warn).toBe(true);
    expect(lines[0]!.text).toBe(
      'Fill 1, Fill 2, Fill 3: 10.3 to 10.4 dB from the LPC extrapolation fill; the model rates the plain LPC extrapolation fill MORE likely than each of them (-0.15 nats/sample), so they may be worse than the LPC extrapolation fill. Compare before you keep one.',
    );
  });
  it('shows only the warned outputs when some are fine, and one line of context when none is warned', () => {
    const lines = describeReports([fill('alt1', 10, 1.6), fill('alt2', 12, 1.0)]);
    expect(lines).toEqual([describeReport(fill('Fill 2', 12, 1.0))]);
    const calm = describeReports([fill('alt1', 10, 1.6), fill('alt2', 12, 1.7)]);
    expect(calm).toEqual([describeReport(fill('Fill 1', 10, 1.6))]);
    expect(describeReports([])).toEqual([]);
    const two = describeReports([{ ...base, meanLogpOutput: 1, meanLogpBaseline: 1.5 }, fill('alt1', 9, 1.0), fill('alt2', 9, 0.9)]);
    expect(two.map((l) => l.text.split(':')[0])).toEqual(['audio', 'Fill 1, Fill 2']);
    expect(['alt1', 'alt12', 'piano', 'alt'].map(outputLabel)).toEqual(['Fill 1', 'Fill 12', 'piano', 'alt']);
  });
});

describe('fromBaseline', () => {
  it('gives a distance in dB, or words where the ratio has no finite value (never "Infinity dB")', () => {
    expect(fromBaseline(21.34, 'cubic spline')).toBe('21.3 dB from the cubic spline');
    expect(fromBaseline(Infinity, 'cubic spline')).toBe('identical to the cubic spline');
    expect(fromBaseline(-Infinity, 'cubic spline')).toBe('the cubic spline is silent and the result is not');
    const silent = { track: 'audio', baseline: 'cubic spline', meanLogpOutput: 1, meanLogpBaseline: 1 };
    expect(describeReport({ ...silent, snrVsBaselineDb: -Infinity })!.text).not.toMatch(/Infinity/);
    const fills = [1, 2].map((i) => ({ track: `alt${i}`, snrVsBaselineDb: i === 1 ? 10 : Infinity, baseline: 'LPC extrapolation fill', meanLogpOutput: 1, meanLogpBaseline: 1.5 }));
    expect(describeReports(fills)[0]!.text).not.toMatch(/Infinity/);
  });
});
