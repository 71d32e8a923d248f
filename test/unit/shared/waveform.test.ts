import { describe, expect, it } from 'vitest';
import { computeWaveform, WAVEFORM_HEADER_BYTES } from '../../../src-shared/audio/waveform';

describe('computeWaveform', () => {
  it('writes a waveform-data v2 header and per-pixel min/max', () => {
    const a = new Float32Array([0, 0.5, -0.5, 1, -1, 0.25, 0, 0, 0.1]);
    const b = new Float32Array(9);
    const w = computeWaveform([a, b], 8000, 4, 16);
    const v = new DataView(w.bytes.buffer);
    expect(v.getInt32(0, true)).toBe(2);
    expect(v.getUint32(4, true)).toBe(0); // 16-bit
    expect(v.getInt32(8, true)).toBe(8000);
    expect(v.getInt32(12, true)).toBe(4);
    expect(v.getUint32(16, true)).toBe(3);
    expect(v.getInt32(20, true)).toBe(2);
    const d = new Int16Array(w.bytes.buffer, WAVEFORM_HEADER_BYTES);
    // pixel 0, channel 0: min -0.5, max 1 ; channel 1: 0, 0
    expect([d[0], d[1], d[2], d[3]]).toEqual([-16383, 32767, 0, 0]);
    // pixel 1: samples -1, .25, 0, 0
    expect([d[4], d[5]]).toEqual([-32767, 8192]);
    // pixel 2: the last sample alone
    expect([d[8], d[9]]).toEqual([3277, 3277]);
  });
  it('handles empty input and 8-bit output', () => {
    const w = computeWaveform([new Float32Array(0)], 44100, 256, 8);
    expect(w.length).toBe(0);
    expect(w.bytes.byteLength).toBe(WAVEFORM_HEADER_BYTES);
    expect(new DataView(w.bytes.buffer).getUint32(4, true)).toBe(1);
  });
  it('rejects a bad scale', () => {
    expect(() => computeWaveform([new Float32Array(4)], 8000, 0)).toThrow();
  });
});

import { chooseSamplesPerPixel } from '../../../src-shared/audio/waveform';
describe('chooseSamplesPerPixel', () => {
  it('is fine for short clips and bounded for long ones', () => {
    expect(chooseSamplesPerPixel(66_150, 1)).toBe(8);
    const hour = 48_000 * 3600;
    const spp = chooseSamplesPerPixel(hour, 2);
    expect(spp).toBe(128);
    expect((hour / spp) * 2 * 4).toBeLessThanOrEqual(16 * 1024 * 1024 * 1.01);
    expect(chooseSamplesPerPixel(1e12, 8)).toBe(1024);
  });
});

import { DISPLAY_TIMEBASE, summarize } from '../../../src-shared/audio/waveform';
describe('summarize (common timebase)', () => {
  it('gives tracks of different rates the same time per pixel', () => {
    const sec = (sr: number) => [Float32Array.from({ length: sr }, (_, i) => (i < sr / 2 ? 0 : 1))];
    const a = summarize(sec(8000), 8000);
    const b = summarize(sec(22050), 22050);
    expect(a.sampleRate).toBe(DISPLAY_TIMEBASE);
    expect(b.sampleRate).toBe(DISPLAY_TIMEBASE);
    expect(a.samplesPerPixel).toBe(b.samplesPerPixel);
    expect(a.length).toBe(b.length);
    // the step from 0 to 1 at 0.5 s lands in the same pixel for both
    const firstLoud = (w: typeof a) => {
      const d = new Int8Array(w.bytes.buffer, 24);
      for (let p = 0; p < w.length; p++) if (d[p * 2 + 1]! > 0) return p;
      return -1;
    };
    expect(Math.abs(firstLoud(a) - firstLoud(b))).toBeLessThanOrEqual(1);
    expect(firstLoud(a)).toBe(Math.floor((0.5 * DISPLAY_TIMEBASE) / a.samplesPerPixel));
  });
});

import { peakColumns } from '../../../src-shared/audio/waveform';
describe('peakColumns', () => {
  it('maps a summary onto project time', () => {
    const one = Float32Array.from({ length: 48000 }, (_, i) => (i >= 24000 ? 0.5 : 0));
    const w = summarize([one], 48000); // 1 s
    const cols = peakColumns(w, 2, 4); // drawn over a 2 s project
    expect(cols[0]).toBe(0);
    expect(cols[1]).toBeCloseTo(0.5, 1);
    expect(cols[2]).toBe(0);
    expect(cols[3]).toBe(0);
    expect(peakColumns(w, 0, 4).every((v) => v === 0)).toBe(true);
  });
});

import { padSummary } from '../../../src-shared/audio/waveform';
describe('padSummary', () => {
  it('extends with silence and keeps the original pixels', () => {
    const w = summarize([new Float32Array(48000).fill(0.5)], 48000); // 1 s
    const p = padSummary(w, 3);
    expect(p.length).toBeGreaterThanOrEqual(w.length * 3 - 1);
    expect(new DataView(p.bytes.buffer).getUint32(16, true)).toBe(p.length);
    expect(Array.from(p.bytes.subarray(0, w.bytes.byteLength).subarray(24))).toEqual(Array.from(w.bytes.subarray(24)));
    expect(p.bytes[p.bytes.byteLength - 1]).toBe(0);
    expect(padSummary(w, 0.5)).toBe(w);
  });
});

describe('updateWaveform', () => {
  it('after a stretch changes, equals a fresh summary while rescanning only that stretch', async () => {
    const { computeWaveform, summarize, updateWaveform } = await import('../../../src-shared/audio/waveform');
    const sr = 44100;
    const chans = [0, 1].map((c) => new Float32Array(sr * 3).map((_, i) => 0.3 * Math.sin(i * 0.01 + c)));
    for (const make of [(ch: Float32Array[]) => summarize(ch, sr), (ch: Float32Array[]) => computeWaveform(ch, sr, 64, 16, 48000)]) {
      const before = make(chans);
      const kept = before.bytes.slice();
      const edited = chans.map((c) => c.slice());
      for (let i = 50_000; i < 53_001; i++) edited[1]![i] = i % 2 ? 0.9 : -0.7;
      const after = updateWaveform(before, edited, sr, 50_000, 53_001);
      expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(make(edited).bytes))).toBe(0);
      expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).not.toBe(0);
      expect(before.bytes).toEqual(kept); // the old summary is left as it was
    }
  });

  it('gives the same summary from just the stretch the pixels read as from the whole clip', async () => {
    const { computeWaveform, updateWaveform, waveformSpan } = await import('../../../src-shared/audio/waveform');
    const sr = 44100;
    const frames = sr * 2 + 123;
    const chans = [0, 1].map((c) => new Float32Array(frames).map((_, i) => 0.3 * Math.sin(i * 0.013 + c)));
    const before = computeWaveform(chans, sr, 64, 16, 48000);
    for (const [from, to] of [[50_000, 50_700], [0, 10], [frames - 5, frames]]) {
      const edited = chans.map((c) => c.slice());
      for (let i = from!; i < to!; i++) edited[0]![i] = 0.8;
      const span = waveformSpan(before, sr, frames, from!, to!);
      const stretch = edited.map((c) => c.slice(span.from, span.to));
      const viaStretch = updateWaveform(before, stretch, sr, from!, to!, { at: span.from, frames });
      expect(Buffer.compare(Buffer.from(viaStretch.bytes), Buffer.from(updateWaveform(before, edited, sr, from!, to!).bytes))).toBe(0);
      // a stretch short of what the pixels read is refused, not summarised wrong
      expect(() => updateWaveform(before, edited.map((c) => c.slice(span.from + 1, span.to)), sr, from!, to!, { at: span.from + 1, frames })).toThrow();
    }
  });
});

describe('waveforms of 3 to 8 channels', () => {
  it('are one row, the envelope of every channel (the views draw mono or stereo only), and update like any other', async () => {
    const { computeWaveform, shownChannels, summarize, updateWaveform } = await import('../../../src-shared/audio/waveform');
    const WaveformData = (await import('waveform-data')).default;
    expect([1, 2, 3, 6, 8].map(shownChannels)).toEqual([1, 2, 1, 1, 1]);
    const sr = 48000;
    const six = Array.from({ length: 6 }, (_, c) => new Float32Array(sr).map((_, i) => (c === 4 ? 0.8 : 0.1) * Math.sin(i * 0.02 + c)));
    const w = computeWaveform(six, sr, 256, 16);
    expect(w.channels).toBe(1);
    const data = WaveformData.create(w.bytes.slice().buffer as ArrayBuffer);
    expect(data.channels).toBe(1);
    expect(data.channel(0).max_array().some((v) => v > 0.75 * 32767)).toBe(true); // the loud channel 4 shows
    const s = summarize(six, sr);
    const edited = six.map((c) => c.slice());
    edited[5]!.fill(-0.9, 10_000, 11_000);
    expect(Buffer.compare(Buffer.from(updateWaveform(s, edited, sr, 10_000, 11_000).bytes), Buffer.from(summarize(edited, sr).bytes))).toBe(0);
  });
});
