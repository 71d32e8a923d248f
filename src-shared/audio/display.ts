// Pure helpers for what the editor draws while jobs run: live previews written into a
// display copy of a track, and the spread between alternative fills.
import { shownChannels } from './waveform';

/**
 * Write a preview chunk (at `sampleRate`, starting at sample `start` of that timeline) into
 * `target` (at `targetRate`), resampling linearly. Returns the target frame range touched.
 */
export function writePreview(
  target: Float32Array,
  targetRate: number,
  samples: Float32Array,
  start: number,
  sampleRate: number,
): { from: number; to: number } {
  if (samples.length === 0) return { from: 0, to: 0 };
  const ratio = sampleRate / targetRate;
  const from = Math.max(0, Math.ceil((start / sampleRate) * targetRate));
  const to = Math.min(target.length, Math.floor(((start + samples.length - 1) / sampleRate) * targetRate) + 1);
  for (let f = from; f < to; f++) {
    const x = f * ratio - start;
    const i = Math.floor(x);
    const t = x - i;
    const a = samples[Math.max(0, Math.min(samples.length - 1, i))]!;
    const b = samples[Math.max(0, Math.min(samples.length - 1, i + 1))]!;
    const v = a + (b - a) * t;
    target[f] = Number.isFinite(v) ? v : 0;
  }
  return { from, to: Math.max(from, to) };
}

export interface SpreadBand {
  /** Per point: mean - std and mean + std of the alternatives. */
  lo: Float32Array;
  hi: Float32Array;
  /** Per point: the standard deviation (the uncertainty). */
  std: Float32Array;
}

/**
 * Spread between alternatives over frames [from, to): `points` summary points, each the
 * mean and standard deviation over alternatives of the per-alternative RMS within the point.
 * A wide band = the alternatives disagree = the fill is uncertain there.
 */
export function spreadBand(alternatives: Float32Array[], from: number, to: number, points: number): SpreadBand {
  const n = Math.max(1, Math.floor(points));
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  const std = new Float32Array(n);
  const k = alternatives.length;
  if (k === 0 || to <= from) return { lo, hi, std };
  const span = (to - from) / n;
  for (let p = 0; p < n; p++) {
    const a = Math.floor(from + p * span);
    const b = Math.max(a + 1, Math.floor(from + (p + 1) * span));
    // per-sample std across alternatives, then RMS within the point
    let varSum = 0;
    let meanSum = 0;
    let count = 0;
    for (let i = a; i < b; i++) {
      let m = 0;
      for (const alt of alternatives) m += alt[i] ?? 0;
      m /= k;
      let v = 0;
      for (const alt of alternatives) v += ((alt[i] ?? 0) - m) ** 2;
      varSum += v / k;
      meanSum += m;
      count++;
    }
    const s = Math.sqrt(varSum / Math.max(1, count));
    const m = meanSum / Math.max(1, count);
    std[p] = s;
    lo[p] = m - s;
    hi[p] = m + s;
  }
  return { lo, hi, std };
}

/**
 * The spread between alternatives for each row the waveform view draws (shownChannels): one
 * band per channel for mono and stereo, so each sits on its own channel's row; one band of the
 * channels' mean for 3 to 8 channels, drawn as one row. `alternatives[k][c]` is alternative k's
 * channel c.
 */
export function spreadBands(alternatives: Float32Array[][], from: number, to: number, points: number): SpreadBand[] {
  const channels = alternatives[0]?.length ?? 1;
  if (shownChannels(channels) === channels) return Array.from({ length: Math.max(1, channels) }, (_, c) => spreadBand(alternatives.map((a) => a[c] ?? new Float32Array(0)), from, to, points));
  const mixes = alternatives.map((a) => {
    const len = a[0]?.length ?? 0;
    const m = new Float32Array(len);
    for (const ch of a) for (let i = 0; i < len; i++) m[i]! += (ch[i] ?? 0) / a.length;
    return m;
  });
  return [spreadBand(mixes, from, to, points)];
}
