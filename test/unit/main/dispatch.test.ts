import { describe, expect, it } from 'vitest';
import { createDispatch, type Handlers } from '../../../src-main/ipc/dispatch';
import { CodedError } from '../../../src-shared/ipc/result';
import { fakeHandlers, noCtx } from './fake-handlers';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return fakeHandlers({
    'app:info': async () => ({ name: 'PnF Studio', version: '0', host: 'web', platform: 'linux', formats: ['wav'], projectDir: '/tmp' }),
    'audio:import': async () => {
      throw new CodedError('CORRUPT_FILE', '"x.wav" is truncated.');
    },
    ...overrides,
  });
}

describe('dispatch (the IPC edge)', () => {
  const logs: string[] = [];
  const dispatch = createDispatch(handlers(), (m) => logs.push(m));

  it('answers a valid request with ok', async () => {
    const r = await dispatch('app:info', {}, noCtx);
    expect(r).toMatchObject({ ok: true, value: { name: 'PnF Studio' } });
  });

  it('rejects unknown channels and hostile payloads as BAD_REQUEST values', async () => {
    for (const [ch, payload] of [
      ['app:nope', {}],
      [{ toString: () => 'x' }, {}],
      ['__proto__', {}],
      ['constructor', {}],
      ['audio:import', { kind: 'path' }],
      ['audio:import', { kind: 'path', path: '' }],
      ['audio:import', { kind: 'path', path: 'a'.repeat(5000) }],
      ['audio:import', { kind: 'bytes', name: 'a.wav', bytes: 'not bytes' }],
      ['audio:import', { kind: 'bytes', name: 'a.wav', bytes: new Uint8Array(1), extra: 1 }],
      ['audio:import', { kind: 'shell', cmd: 'rm -rf /' }],
      ['audio:import', { kind: 'path', path: '/a.wav', progressId: '' }],
      ['audio:import', { kind: 'path', path: '/a.wav', progressId: 'x'.repeat(65) }],
      ['audio:import', { kind: 'path', path: '/a.wav', progressId: '<img src=x onerror=alert(1)>' }],
      ['audio:import', { kind: 'bytes', name: 'a.wav', bytes: new Uint8Array(1), progressId: 7 }],
      ['audio:import', null],
      ['app:info', { sneaky: true }],
      ['job:start', { kind: 'separate', blob: '../../etc/passwd' }],
      ['job:start', { kind: 'upsample', blob: 'abcdefgh-1234', factor: 1 }],
      ['job:start', { kind: 'upsample', blob: 'abcdefgh-1234' }],
      ['job:start', { kind: 'upsample', blob: 'abcdefgh-1234', factor: 2, source: 'drums' }],
      ['job:start', { kind: 'upsample', blob: 'abcdefgh-1234', factor: 2, lowpass: 'yes' }],
      ['job:start', { kind: 'upsample', blob: 'abcdefgh-1234', factor: 2, lowpass: 1 }],
      ['job:start', { kind: 'inpaint', blob: 'abcdefgh-1234', regions: [{ start: 1, end: 2 }], source: 'auto' }],
      ['job:start', { kind: 'inpaint', blob: 'abcdefgh-1234', regions: [{ start: 2, end: 1 }] }],
      ['job:start', { kind: 'inpaint', blob: 'abcdefgh-1234', regions: [] }],
      ['job:start', { kind: 'generate', seconds: 1e9, source: 'piano' }],
      ['job:start', { kind: 'separate', blob: 'abcdefgh-1234', options: { device: 'tpu' } }],
      ['job:start', { kind: 'separate', blob: 'abcdefgh-1234', targetRate: 1000 }],
      ['job:start', { kind: 'separate', blob: 'abcdefgh-1234', targetRate: 16000.5 }],
      ['audio:restore', { blob: '../../etc/passwd', sampleRate: 8000, channels: [new Float32Array(4)] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: [] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: [new Float32Array(4), new Float32Array(3)] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: [Float32Array.from([0, NaN])] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: [Float32Array.from([0, Infinity])] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000.5, channels: [new Float32Array(4)] }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: Array.from({ length: 9 }, () => new Float32Array(4)) }],
      ['audio:restore', { blob: 'abcdefgh-1234', sampleRate: 8000, channels: [[0, 1]] }],
      ['project:save', { doc: { version: 1, tracks: [{ id: 'x' }] } }],
      ['export:wav', { blob: 'abcdefgh-1234', name: 'a', format: 'mp3' }],
    ] as const) {
      const r = await dispatch(ch, payload, noCtx);
      expect(r.ok, `${String(ch)} ${JSON.stringify(payload)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
    }
  });

  it('turns a service error into its code and message, never a throw', async () => {
    const r = await dispatch('audio:import', { kind: 'path', path: '/tmp/x.wav' }, noCtx);
    expect(r).toEqual({ ok: false, error: { code: 'CORRUPT_FILE', message: '"x.wav" is truncated.' } });
  });

  it('turns an unexpected exception into INTERNAL without a stack, and logs it', async () => {
    const d = createDispatch(
      handlers({
        'app:info': async () => {
          throw new TypeError('boom');
        },
      }),
      (m) => logs.push(m),
    );
    const r = await d('app:info', {}, noCtx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INTERNAL');
      expect(r.error.message).not.toMatch(/\n\s+at /);
    }
    expect(logs.some((l) => l.includes('boom'))).toBe(true);
  });
});
