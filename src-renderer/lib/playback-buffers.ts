// Playback buffers for tracks. A track's samples live in an AudioBuffer's own channel arrays
// (adoptForPlayback), so that Web Audio plays them without a second copy; plain arrays (job
// previews, tests in Node) get a cached copy the first time they play. No runes here: plain
// functions, unit-tested in Node with a stand-in AudioBuffer.
import type { TrackAudio } from '../../src-shared/ipc/contract';

const buffers = new WeakMap<Float32Array[], AudioBuffer>();

/** The sample rates an AudioBuffer takes (Chromium: 3 kHz to 768 kHz). */
const BUFFER_RATES = { min: 3000, max: 768_000 };

/**
 * Moves a track's samples into an AudioBuffer and returns the audio with the buffer's own
 * channel arrays, so that playing it copies nothing: an hour of stereo is held once (1.3 GB),
 * not twice, and play starts at once. Without Web Audio (tests in Node), for a rate an
 * AudioBuffer cannot take, or if the buffer cannot be allocated, the audio comes back as it was
 * (and playback copies it, as before). The samples must not be written afterwards.
 */
export function adoptForPlayback(a: TrackAudio): TrackAudio {
  if (buffers.has(a.channels)) return a;
  const channels = intoBuffer(a);
  return channels ? { ...a, channels } : a;
}

/**
 * A copy of a track's samples that plays without another copy (as adoptForPlayback's); it
 * may be written until it first plays. Plain copies where there is no AudioBuffer for it.
 */
export function playableCopy(a: TrackAudio): Float32Array[] {
  return intoBuffer(a) ?? a.channels.map((c) => c.slice());
}

/** `a`'s samples copied into a new AudioBuffer, as its channel arrays; null where none can be made. */
function intoBuffer(a: TrackAudio): Float32Array[] | null {
  const b = newBuffer(a.channels.length, a.channels[0]?.length ?? 0, a.sampleRate);
  if (!b) return null;
  const channels = a.channels.map((c, i) => {
    b.copyToChannel(c as Float32Array<ArrayBuffer>, i);
    return b.getChannelData(i);
  });
  buffers.set(channels, b);
  return channels;
}

/**
 * Audio that arrived as 16-bit integers (see decodeWire's pcm16Audio), converted straight into
 * a playable AudioBuffer: the track is never held as floats twice (for an hour of stereo the
 * page peaked at message + floats + buffer, 3.2 GB). Null where no AudioBuffer can be made
 * (then the decoder makes plain Float32Arrays).
 */
export function playableFromPcm16(pcm: Int16Array[], sampleRate: number): Float32Array[] | null {
  const b = newBuffer(pcm.length, pcm[0]?.length ?? 0, sampleRate);
  if (!b || pcm.some((c) => c.length !== pcm[0]!.length)) return null;
  const channels = pcm.map((src, i) => {
    const dst = b.getChannelData(i);
    for (let k = 0; k < dst.length; k++) dst[k] = src[k]! / 32768;
    return dst;
  });
  buffers.set(channels, b);
  return channels;
}

function newBuffer(numberOfChannels: number, length: number, sampleRate: number): AudioBuffer | null {
  if (length < 1 || numberOfChannels < 1 || typeof AudioBuffer === 'undefined') return null;
  if (sampleRate < BUFFER_RATES.min || sampleRate > BUFFER_RATES.max) return null;
  try {
    return new AudioBuffer({ numberOfChannels, length, sampleRate });
  } catch {
    return null;
  }
}

/** The AudioBuffer that plays `channels`: the one they live in, or (once) a copy. */
export function playbackBuffer(ctx: BaseAudioContext, sampleRate: number, channels: Float32Array[]): AudioBuffer {
  const cached = buffers.get(channels);
  if (cached) return cached;
  const b = ctx.createBuffer(channels.length, Math.max(1, channels[0]?.length ?? 1), sampleRate);
  channels.forEach((ch, i) => b.copyToChannel(ch as Float32Array<ArrayBuffer>, i));
  buffers.set(channels, b);
  return b;
}

