import { describe, expect, it } from 'vitest';
import { resample } from '../../../src-main/io/resample';
import { CodedError } from '../../../src-shared/ipc/result';

const sine = (n: number, rate: number, f: number, amp = 0.5, phase = 0) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin(2 * Math.PI * f * (i / rate) + phase));

/** Max error against the ideal sine over the middle (away from the edges). */
function maxErr(y: Float32Array, rate: number, f: number, amp = 0.5, phase = 0, margin = 0.05): number {
  const m = Math.floor(margin * rate);
  let e = 0;
  for (let i = m; i < y.length - m; i++) e = Math.max(e, Math.abs(y[i]! - amp * Math.sin(2 * Math.PI * f * (i / rate) + phase)));
  return e;
}

describe('resample', () => {
  it('is the identity (a copy) when rates are equal', async () => {
    const x = sine(100, 16000, 440);
    const [y] = await resample([x], 16000, 16000);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it.each([
    [44100, 16000, 1.0],
    [16000, 44100, 0.5],
    [48000, 44100, 0.7],
    [22050, 16000, 0.3],
    [16000, 8000, 0.25],
  ])('%i -> %i Hz: exact length and time-aligned (sine)', async (from, to, seconds) => {
    const n = Math.round(from * seconds) + 3; // a length that does not divide evenly
    const f = 440;
    const [a, b] = await resample([sine(n, from, f), sine(n, from, f, 0.25, 1)], from, to);
    expect(a!.length).toBe(Math.round((n * to) / from));
    expect(b!.length).toBe(a!.length);
    // A delay of even one output sample at 440 Hz would give an error of ~0.5*2*pi*440/to > 0.01.
    expect(maxErr(a!, to, f)).toBeLessThan(1e-3);
    expect(maxErr(b!, to, f, 0.25, 1)).toBeLessThan(1e-3);
    // The tail is present and aligned up to a few ms before the end (where the cut-off
    // input makes a band-limited edge ring, as any sinc resampler does).
    let tailErr = 0;
    for (let i = a!.length - Math.round(0.02 * to); i < a!.length - Math.round(0.005 * to); i++) {
      tailErr = Math.max(tailErr, Math.abs(a![i]! - 0.5 * Math.sin(2 * Math.PI * f * (i / to))));
    }
    expect(tailErr).toBeLessThan(0.01);
  });

  it('keeps exact length and alignment on long input (several internal chunks)', async () => {
    const from = 44100;
    const n = from * 30 + 17;
    const [y] = await resample([sine(n, from, 1000)], from, 16000);
    expect(y!.length).toBe(Math.round((n * 16000) / from));
    expect(maxErr(y!, 16000, 1000, 0.5, 0, 0.01)).toBeLessThan(1e-3);
  }, 120_000);

  it('calls do not leak state into each other (the converter is reused)', async () => {
    const x = sine(5000, 44100, 440);
    const [first] = await resample([x], 44100, 16000);
    await resample([new Float32Array(3000).fill(0.9), new Float32Array(3000).fill(-0.9)], 22050, 48000);
    await resample([new Float32Array(777).fill(1)], 44100, 16000);
    const [again] = await resample([x], 44100, 16000);
    expect(again).toEqual(first);
  });

  it('handles tiny inputs', async () => {
    expect((await resample([new Float32Array(1)], 16000, 48000))[0]!.length).toBe(3);
    expect((await resample([new Float32Array(0)], 16000, 48000))[0]!.length).toBe(0);
    expect((await resample([Float32Array.of(1, 1, 1)], 48000, 16000))[0]!.length).toBe(1);
  });

  it('rejects rates the resampler cannot do', async () => {
    await expect(resample([new Float32Array(10)], 384000, 16000)).rejects.toBeInstanceOf(CodedError);
    await expect(resample([new Float32Array(10)], 0, 16000)).rejects.toBeInstanceOf(CodedError);
    await expect(resample([new Float32Array(10), new Float32Array(9)], 8000, 16000)).rejects.toBeInstanceOf(CodedError);
  });
});
