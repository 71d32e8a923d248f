// A fill's live preview in its track's lane, without a copy of the track: the previews are
// written into a small patch over the region, and only the waveform pixels they touch are
// recomputed from the track with the patch over it. (A copy was 1.3 GB for an hour of stereo,
// on top of the track itself, for as long as the fill ran.) Pure functions: tested in Node.
import type { TrackAudio } from '../../src-shared/ipc/contract';
import { writePreview } from '../../src-shared/audio/display';
import { updateWaveform, waveformSpan, type WaveformSummary } from '../../src-shared/audio/waveform';

/** Frames [at, at + length) of a track, where a fill's previews land. */
export interface FillPatch {
  at: number;
  channels: Float32Array[];
}

/** Previews may reach this far (seconds) past the selected region (the engine resamples around the gap). */
const PATCH_MARGIN_SECONDS = 0.05;

/** The patch for a fill of `region` (seconds) in `a`: the track's own frames there, to be overwritten. */
export function fillPatch(a: TrackAudio, region: { start: number; end: number }): FillPatch {
  const sr = a.sampleRate;
  const at = Math.max(0, Math.floor((region.start - PATCH_MARGIN_SECONDS) * sr));
  const end = Math.min(a.frames, Math.ceil((region.end + PATCH_MARGIN_SECONDS) * sr));
  return { at, channels: a.channels.map((c) => c.slice(at, Math.max(at, end))) };
}

/**
 * Writes one preview (`samples` from frame `start` at `sampleRate`, for `channel`) into the patch
 * and returns the track's waveform with the pixels it touched redrawn from track + patch.
 * `track` is the audio the lane shows (its samples are read, never written).
 */
export function previewIntoPatch(track: TrackAudio, waveform: WaveformSummary, patch: FillPatch, channel: number, samples: Float32Array, start: number, sampleRate: number): WaveformSummary {
  const sr = track.sampleRate;
  const c = Math.min(channel, patch.channels.length - 1);
  // the patch starts at track frame `at`: the same preview, `at` frames earlier in patch terms
  const touched = writePreview(patch.channels[c]!, sr, samples, start - (patch.at * sampleRate) / sr, sampleRate);
  if (touched.to <= touched.from) return waveform;
  const from = touched.from + patch.at;
  const to = touched.to + patch.at;
  const span = waveformSpan(waveform, sr, track.frames, from, to);
  const plen = patch.channels[0]?.length ?? 0;
  const window = track.channels.map((ch, k) => {
    const w = ch.slice(span.from, span.to);
    const a = Math.max(span.from, patch.at);
    const b = Math.min(span.to, patch.at + plen);
    if (b > a) w.set(patch.channels[k]!.subarray(a - patch.at, b - patch.at), a - span.from);
    return w;
  });
  return updateWaveform(waveform, window, sr, from, to, { at: span.from, frames: track.frames });
}
