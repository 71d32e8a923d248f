/** Decoded audio: planar float32, original rate and channel count. */
export interface AudioData {
  sampleRate: number;
  /** One Float32Array per channel, all the same length. */
  channels: Float32Array[];
}

export function frameCount(a: AudioData): number {
  return a.channels[0]?.length ?? 0;
}

export function durationSeconds(a: AudioData): number {
  return a.sampleRate > 0 ? frameCount(a) / a.sampleRate : 0;
}
