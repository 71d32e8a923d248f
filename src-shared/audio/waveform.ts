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
 * The rows a summary has for `channels` audio channels: one per channel for mono and stereo, one
 * (all channels' envelope) for 3 to 8, since the waveform views draw mono or stereo only.
 */
export function shownChannels(channels: number): number {
  return channels <= 2 ? channels : 1;
}

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
  const nch = shownChannels(channels.length);
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
  const out = bits === 8 ? new Int8Array(buf, WAVEFORM_HEADER_BYTES) : new Int16Array(buf, WAVEFORM_HEADER_BYTES);
  writePixels(out, bits, channels, samplesPerPixel * ratio, 0, length);
  return { sampleRate: Math.round(timebase), samplesPerPixel, channels: nch, length, bits, bytes: new Uint8Array(buf) };
}

/** The frames pixel p reads: [start, end). */
function pixelFrames(p: number, framesPerPixel: number, frames: number): { start: number; end: number } {
  const start = Math.min(frames - 1, Math.floor(p * framesPerPixel));
  return { start, end: Math.min(frames, Math.max(start + 1, Math.floor((p + 1) * framesPerPixel))) };
}

/**
 * Min/max of pixels [p0, p1) into `out`; pixel p covers frames [p * framesPerPixel, (p + 1) * framesPerPixel)
 * of a clip `frames` long, of which `channels` hold frames [at, at + their length).
 */
function writePixels(out: Int8Array | Int16Array, bits: 8 | 16, channels: Float32Array[], framesPerPixel: number, p0: number, p1: number, at = 0, frames = channels[0]?.length ?? 0): void {
  const nch = shownChannels(channels.length);
  const lim = bits === 8 ? 127 : 32767;
  for (let p = p0; p < p1; p++) {
    const { start, end } = pixelFrames(p, framesPerPixel, frames);
    for (let c = 0; c < nch; c++) {
      // (one row for 3 to 8 channels: the envelope of them all)
      const sources = nch === channels.length ? [channels[c]!] : channels;
      let mn = Infinity;
      let mx = -Infinity;
      for (const ch of sources) {
        for (let i = start - at; i < end - at; i++) {
          const v = ch[i]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
      }
      if (!Number.isFinite(mn)) mn = 0;
      if (!Number.isFinite(mx)) mx = 0;
      const k = (p * nch + c) * 2;
      out[k] = clampInt(mn, lim);
      out[k + 1] = clampInt(mx, lim);
    }
  }
}

/**
 * `w` (a summary of `channels`) after frames [from, to) changed: a new summary that recomputes
 * only the pixels those frames touch. A live preview in an hour-long track rescans a few
 * pixels, not the hour. `channels` may be just a stretch of the clip: frames [stretch.at, ...)
 * of a clip stretch.frames long, holding at least waveformSpan(...).
 */
export function updateWaveform(
  w: WaveformSummary,
  channels: Float32Array[],
  sampleRate: number,
  from: number,
  to: number,
  stretch: { at: number; frames: number } = { at: 0, frames: channels[0]?.length ?? 0 },
): WaveformSummary {
  const bytes = w.bytes.slice();
  const { framesPerPixel, p0, p1 } = touchedPixels(w, sampleRate, from, to);
  if (p1 > p0 && w.channels === shownChannels(channels.length)) {
    const need = waveformSpan(w, sampleRate, stretch.frames, from, to);
    const held = channels[0]?.length ?? 0;
    if (need.from < stretch.at || need.to > stretch.at + held) throw new Error('the stretch does not hold the frames the pixels read');
    const data = w.bits === 8 ? new Int8Array(bytes.buffer, WAVEFORM_HEADER_BYTES) : new Int16Array(bytes.buffer, WAVEFORM_HEADER_BYTES);
    writePixels(data, w.bits, channels, framesPerPixel, p0, p1, stretch.at, stretch.frames);
  }
  return { ...w, bytes };
}

function touchedPixels(w: WaveformSummary, sampleRate: number, from: number, to: number) {
  const framesPerPixel = w.samplesPerPixel * (sampleRate / w.sampleRate); // as computeWaveform, to the last bit
  return { framesPerPixel, p0: Math.max(0, Math.floor(from / framesPerPixel) - 1), p1: Math.min(w.length, Math.ceil(to / framesPerPixel) + 1) };
}

/**
 * The frames updateWaveform(w, ..., from, to) reads in a clip `frames` long: a stretch of the
 * clip handed to it (see its `stretch`) must hold at least these.
 */
export function waveformSpan(w: WaveformSummary, sampleRate: number, frames: number, from: number, to: number): { from: number; to: number } {
  const { framesPerPixel, p0, p1 } = touchedPixels(w, sampleRate, from, to);
  if (p1 <= p0 || frames === 0) return { from: 0, to: 0 };
  return { from: pixelFrames(p0, framesPerPixel, frames).start, to: pixelFrames(p1 - 1, framesPerPixel, frames).end };
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
  const spp = chooseSamplesPerPixel(Math.ceil((frames * DISPLAY_TIMEBASE) / sampleRate), shownChannels(channels.length));
  return computeWaveform(channels, sampleRate, spp, 8, DISPLAY_TIMEBASE);
}

/**
 * Peak level (0..1) per column when a summary is drawn over `columns` columns spanning
 * `seconds` of project time (the summary may be shorter: the rest stays 0).
 */
export function peakColumns(w: WaveformSummary, seconds: number, columns: number): Float32Array {
  const out = new Float32Array(Math.max(0, Math.floor(columns)));
  if (!out.length || !(seconds > 0) || w.length === 0) return out;
  const bytesPerValue = w.bits === 8 ? 1 : 2;
  const data = w.bits === 8 ? new Int8Array(w.bytes.buffer, w.bytes.byteOffset + WAVEFORM_HEADER_BYTES) : new Int16Array(w.bytes.buffer.slice(w.bytes.byteOffset + WAVEFORM_HEADER_BYTES, w.bytes.byteOffset + w.bytes.byteLength));
  const full = bytesPerValue === 1 ? 128 : 32768;
  const pixelsPerSecond = w.sampleRate / w.samplesPerPixel;
  for (let c = 0; c < out.length; c++) {
    const a = Math.floor((c / out.length) * seconds * pixelsPerSecond);
    const b = Math.min(w.length, Math.max(a + 1, Math.floor(((c + 1) / out.length) * seconds * pixelsPerSecond)));
    let m = 0;
    for (let p = a; p < b; p++) {
      for (let ch = 0; ch < w.channels; ch++) {
        const k = (p * w.channels + ch) * 2;
        m = Math.max(m, Math.abs(data[k]!), Math.abs(data[k + 1]!));
      }
    }
    out[c] = Math.min(1, m / full);
  }
  return out;
}

/**
 * The same summary extended with silence to cover `seconds` (never shortened), so that
 * every lane spans the whole project and scrolls in step with the longest one.
 */
export function padSummary(w: WaveformSummary, seconds: number): WaveformSummary {
  const want = Math.ceil((seconds * w.sampleRate) / w.samplesPerPixel);
  if (!(want > w.length)) return w;
  const bytesPerValue = w.bits === 8 ? 1 : 2;
  const bytes = new Uint8Array(WAVEFORM_HEADER_BYTES + want * w.channels * 2 * bytesPerValue);
  bytes.set(w.bytes.subarray(0, WAVEFORM_HEADER_BYTES + w.length * w.channels * 2 * bytesPerValue));
  new DataView(bytes.buffer).setUint32(16, want, true);
  return { ...w, length: want, bytes };
}
