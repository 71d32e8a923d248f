import { describe, expect, it } from 'vitest';
import { fft, rowFrequency, spectrogram } from '../../../src-shared/audio/spectrogram';

describe('fft', () => {
  it('matches a direct DFT', () => {
    const n = 16;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1));
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let r = 0;
      let m = 0;
      for (let t = 0; t < n; t++) {
        r += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        m += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(r, 9);
      expect(im[k]).toBeCloseTo(m, 9);
    }
  });
  it('rejects non power of two sizes', () => {
    expect(() => fft(new Float64Array(12), new Float64Array(12))).toThrow();
  });
});

describe('spectrogram', () => {
  it('puts a sine in the row of its frequency at about its level', () => {
    const sr = 16000;
    const x = new Float32Array(sr).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sr));
    const s = spectrogram(x, { sampleRate: sr, columns: 8, rows: 96 });
    const col = 4;
    let best = 0;
    for (let r = 0; r < s.rows; r++) if (s.db[r * s.columns + col]! > s.db[best * s.columns + col]!) best = r;
    const f = rowFrequency(best, s.rows, s.minHz, s.maxHz);
    expect(f).toBeGreaterThan(900);
    expect(f).toBeLessThan(1100);
    expect(s.db[best * s.columns + col]!).toBeGreaterThan(-8); // 0.5 amplitude = -6 dBFS
    expect(s.db[best * s.columns + col]!).toBeLessThan(-4);
    // far from the tone it is quiet
    expect(s.db[(s.rows - 1) * s.columns + col]!).toBeLessThan(-60);
  });
  it('is silent on silence and safe on NaN', () => {
    const s = spectrogram(new Float32Array(4000).fill(Number.NaN), { sampleRate: 8000, columns: 3 });
    expect(Math.max(...s.db)).toBe(-100);
  });
});
