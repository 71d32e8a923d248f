import { describe, expect, it } from 'vitest';
import { CodedError, fail, ok, toAppError } from '../../../src-shared/ipc/result';

describe('Result helpers', () => {
  it('wraps values and errors', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('BAD_REQUEST', 'nope')).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'nope' } });
  });
  it('keeps the code of a CodedError and hides stacks of unknown errors', () => {
    expect(toAppError(new CodedError('CORRUPT_FILE', 'a.wav is truncated'))).toEqual({ code: 'CORRUPT_FILE', message: 'a.wav is truncated' });
    const e = toAppError(new TypeError('x is undefined'));
    expect(e.code).toBe('INTERNAL');
    expect(e.message).toContain('x is undefined');
    expect(e.message).not.toContain('at ');
  });
  it('maps Node fs error codes to user codes', () => {
    expect(toAppError(Object.assign(new Error('no space'), { code: 'ENOSPC' })).code).toBe('DISK_FULL');
    expect(toAppError(Object.assign(new Error('missing'), { code: 'ENOENT' })).code).toBe('NOT_FOUND');
  });
});
