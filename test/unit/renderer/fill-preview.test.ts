import { describe, expect, it } from 'vitest';
import { fillPatch, previewIntoPatch } from '../../../src-renderer/lib/fill-preview';
import { writePreview } from '../../../src-shared/audio/display';
import { summarize, updateWaveform } from '../../../src-shared/audio/waveform';
import type { TrackAudio } from '../../../src-shared/ipc/contract';

describe('a fill previewed over its track without copying it', () => {
  it('draws exactly what a whole copy with the previews written into it would, and never writes the track', () => {
    const sr = 22050;
    const frames = sr * 3;
    const channels = [0, 1].map((c) => new Float32Array(frames).map((_, i) => 0.4 * Math.sin(i * 0.02 + c)));
    const kept = channels.map((c) => c.slice());
    const track: TrackAudio = { blob: 'b', sampleRate: sr, channelCount: 2, frames, durationSeconds: 3, channels, waveform: summarize(channels, sr) };
    const region = { start: 1.2, end: 1.45 };
    const patch = fillPatch(track, region);
    const copy = channels.map((c) => c.slice()); // the old way: a whole copy, written into
    let viaPatch = track.waveform;
    let viaCopy = track.waveform;
    for (let step = 0; step < 4; step++) {
      for (const ch of [0, 1]) {
        const start = Math.round(1.2 * 16000) + step * 100; // model-rate previews inside the region
        const samples = new Float32Array(3000).map((_, i) => 0.9 * Math.cos(i * 0.3 + step + ch));
        viaPatch = previewIntoPatch(track, viaPatch, patch, ch, samples, start, 16000);
        const touched = writePreview(copy[ch]!, sr, samples, start, 16000);
        viaCopy = updateWaveform(viaCopy, copy, sr, touched.from, touched.to);
      }
    }
    expect(Buffer.compare(Buffer.from(viaPatch.bytes), Buffer.from(viaCopy.bytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(viaPatch.bytes), Buffer.from(track.waveform.bytes))).not.toBe(0);
    channels.forEach((c, i) => expect(Buffer.compare(Buffer.from(c.buffer), Buffer.from(kept[i]!.buffer))).toBe(0));
    // the patch is the region (plus a margin), not the track
    expect(patch.channels[0]!.length).toBeLessThan(0.4 * sr);
  });
});
