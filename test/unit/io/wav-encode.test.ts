import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioBytes } from '../../../src-main/io/decode';
import { encodeWav } from '../../../src-main/io/wav-encode';
import { ffprobe, requireTool } from './helpers';

function testSignal(channels: number, n: number, rate: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin(2 * Math.PI * (220 * (c + 1)) * (i / rate)) + 0.05 * Math.sin(i * 0.37 * (c + 1))),
  );
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('encodeWav', () => {
  it.each([
    ['pcm16', 1, 1.5 / 32768],
    ['pcm24', 1, 1.5 / 8388608],
    ['float32', 0, 0],
  ] as const)('%s round-trips through decodeAudioBytes within quantisation error', async (format, _d, tol) => {
    for (const ch of [1, 2, 6]) {
      const audio = { sampleRate: 48000, channels: testSignal(ch, 4800, 48000) };
      const bytes = encodeWav(audio, { format });
      const back = await decodeAudioBytes(bytes, 'out.wav');
      expect(back.sampleRate).toBe(48000);
      expect(back.channels).toHaveLength(ch);
      for (let c = 0; c < ch; c++) {
        expect(back.channels[c]!.length).toBe(4800);
        // TPDF dither adds at most 1 LSB, rounding at most 0.5 LSB.
        expect(maxDiff(back.channels[c]!, audio.channels[c]!)).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('without dither, 16-bit is plain rounding (error <= 0.5 LSB)', async () => {
    const audio = { sampleRate: 16000, channels: testSignal(1, 1000, 16000) };
    const back = await decodeAudioBytes(encodeWav(audio, { format: 'pcm16', dither: false }), 'x.wav');
    expect(maxDiff(back.channels[0]!, audio.channels[0]!)).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('dither is TPDF-like: zero-mean, spread over +-1 LSB, and deterministic for a seed', async () => {
    const n = 20000;
    const audio = { sampleRate: 16000, channels: [new Float32Array(n).fill(0.25 / 32768)] };
    const a = encodeWav(audio, { format: 'pcm16', seed: 42 });
    const b = encodeWav(audio, { format: 'pcm16', seed: 42 });
    const c = encodeWav(audio, { format: 'pcm16', seed: 43 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const back = (await decodeAudioBytes(a, 'x.wav')).channels[0]!;
    const ints = Array.from(back, (v) => Math.round(v * 32768));
    const mean = ints.reduce((s, v) => s + v, 0) / n;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.3); // dither linearises: the 1/4-LSB level survives on average
    expect(new Set(ints)).toEqual(new Set([-1, 0, 1]));
  });

  it('clips safely; NaN becomes silence', async () => {
    const audio = { sampleRate: 8000, channels: [Float32Array.of(2, -2, 1, -1, Number.NaN, Infinity, -Infinity)] };
    for (const format of ['pcm16', 'pcm24'] as const) {
      const back = (await decodeAudioBytes(encodeWav(audio, { format, dither: true, seed: 7 }), 'x.wav')).channels[0]!;
      const full = format === 'pcm16' ? 32768 : 8388608;
      expect(back[0]).toBeCloseTo((full - 1) / full, 9);
      expect(back[1]).toBe(-1);
      expect(back[2]! * full).toBeGreaterThanOrEqual(full - 2);
      expect(back[3]! * full).toBeLessThanOrEqual(-full + 1);
      expect(Math.abs(back[4]! * full)).toBeLessThanOrEqual(1);
      expect(back[5]! * full).toBeGreaterThanOrEqual(full - 2);
      expect(back[6]).toBe(-1);
    }
    const f = (await decodeAudioBytes(encodeWav(audio, { format: 'float32' }), 'x.wav')).channels[0]!;
    expect(Array.from(f)).toEqual([2, -2, 1, -1, 0, 1, -1]);
  });

  it('writes headers ffprobe agrees with', () => {
    requireTool('ffprobe');
    const dir = mkdtempSync(join(tmpdir(), 'pnf-wav-'));
    try {
      for (const [format, codec] of [['pcm16', 'pcm_s16le'], ['pcm24', 'pcm_s24le'], ['float32', 'pcm_f32le']] as const) {
        for (const ch of [1, 2, 6]) {
          const p = join(dir, `${format}-${ch}.wav`);
          writeFileSync(p, encodeWav({ sampleRate: 22050, channels: testSignal(ch, 2205, 22050) }, { format }));
          const info = ffprobe(p);
          expect(info.codec).toBe(codec);
          expect(info.channels).toBe(ch);
          expect(info.sampleRate).toBe(22050);
          expect(info.duration).toBeCloseTo(0.1, 6);
          // and ffmpeg decodes it without complaint
          execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', p, '-f', 'null', '-']);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
