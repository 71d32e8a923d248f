// Min/max waveform summaries in the waveform-data.js binary format (version 2), computed
// once on the main side so the UI never scans raw samples (long files stay responsive).
// Format: int32 version=2, uint32 flags (bit 0 set = 8-bit), int32 sample_rate,
// int32 samples_per_pixel, uint32 length (pixels), int32 channels, then per pixel, per
// channel: min, max (int8 or int16, little-endian).

export const WAVEFORM_HEADER_BYTES = 24;

export interface WaveformSummary {
  sampleRate: number;
  samplesPerPixel: number;
  channels: number;
  /** Number of pixels (summary points). */
  length: number;
  bits: 8 | 16;
  /** The complete waveform-data binary file (header + data). */
  bytes: Uint8Array;
}

const clampInt = (v: number, lim: number) => Math.max(-lim - 1, Math.min(lim, Math.round(v * lim)));

/**
 * Compute a min/max summary of planar float channels. Non-finite samples count as 0.
 *
 * `timebase` is the rate the summary claims (its sample_rate); samplesPerPixel counts in
 * that rate. With timebase = sampleRate each pixel covers exactly samplesPerPixel samples;
 * with a common timebase for every track, tracks of different rates share one integer
 * zoom scale and so line up exactly in time (peaks.js zooms in whole samples per pixel).
 */
export function computeWaveform(
  channels: Float32Array[],
  sampleRate: number,
  samplesPerPixel = 256,
  bits: 8 | 16 = 16,
  timebase = sampleRate,
): WaveformSummary {
  if (!Number.isInteger(samplesPerPixel) || samplesPerPixel < 1) throw new Error('samplesPerPixel must be a positive integer');
  if (!(timebase > 0) || !(sampleRate > 0)) throw new Error('rates must be positive');
  const nch = channels.length;
  const frames = channels[0]?.length ?? 0;
  const ratio = sampleRate / timebase; // audio samples per timebase sample
  const length = frames === 0 ? 0 : Math.ceil((frames / ratio - 1e-9) / samplesPerPixel);
  const bytesPerValue = bits === 8 ? 1 : 2;
  const buf = new ArrayBuffer(WAVEFORM_HEADER_BYTES + length * nch * 2 * bytesPerValue);
  const view = new DataView(buf);
  view.setInt32(0, 2, true);
  view.setUint32(4, bits === 8 ? 1 : 0, true);
  view.setInt32(8, Math.round(timebase), true);
  view.setInt32(12, samplesPerPixel, true);
  view.setUint32(16, length, true);
  view.setInt32(20, nch, true);
  const lim = bits === 8 ? 127 : 32767;
  const out = bits === 8 ? new Int8Array(buf, WAVEFORM_HEADER_BYTES) : new Int16Array(buf, WAVEFORM_HEADER_BYTES);
  for (let p = 0; p < length; p++) {
    const start = Math.min(frames - 1, Math.floor(p * samplesPerPixel * ratio));
    const end = Math.min(frames, Math.max(start + 1, Math.floor((p + 1) * samplesPerPixel * ratio)));
    for (let c = 0; c < nch; c++) {
      const ch = channels[c]!;
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = start; i < end; i++) {
        const v = ch[i]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (!Number.isFinite(mn)) mn = 0;
      if (!Number.isFinite(mx)) mx = 0;
      const k = (p * nch + c) * 2;
      out[k] = clampInt(mn, lim);
      out[k + 1] = clampInt(mx, lim);
    }
  }
  return { sampleRate: Math.round(timebase), samplesPerPixel, channels: nch, length, bits, bytes: new Uint8Array(buf) };
}

/**
 * The finest summary scale (samples per pixel, a power of two in [8, 1024]) that keeps a
 * 16-bit summary under `budgetBytes`: short clips can be zoomed to the sample level, a
 * 60-minute stereo file stays a few MB.
 */
export function chooseSamplesPerPixel(frames: number, channels: number, budgetBytes = 16 * 1024 * 1024): number {
  const bytesAtOne = Math.max(0, frames) * Math.max(1, channels) * 4;
  let spp = 8;
  while (spp < 1024 && bytesAtOne / spp > budgetBytes) spp *= 2;
  return spp;
}

/** The one timebase every track's summary uses, so that lanes of any rate align. */
export const DISPLAY_TIMEBASE = 48000;

/** The editor's summary of a track: common timebase, 8-bit (what peaks.js reads), adaptive scale. */
export function summarize(channels: Float32Array[], sampleRate: number): WaveformSummary {
  const frames = channels[0]?.length ?? 0;
  const spp = chooseSamplesPerPixel(Math.ceil((frames * DISPLAY_TIMEBASE) / sampleRate), channels.length);
  return computeWaveform(channels, sampleRate, spp, 8, DISPLAY_TIMEBASE);
}
