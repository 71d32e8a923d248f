// A track's samples move into an AudioBuffer once and playback reuses that buffer: one copy
// of a long track, not two. Node has no Web Audio, so a stand-in AudioBuffer with Chromium's
// behaviour (getChannelData hands back the buffer's own storage) takes its place.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackAudio } from '../../../src-shared/ipc/contract';
import { adoptForPlayback, playableFromPcm16, playbackBuffer } from '../../../src-renderer/lib/playback-buffers';

class FakeAudioBuffer {
  static made = 0;
  readonly data: Float32Array[];
  readonly sampleRate: number;
  constructor(o: { numberOfChannels: number; length: number; sampleRate: number }) {
    if (o.sampleRate < 3000 || o.sampleRate > 768000) throw new Error('NotSupportedError');
    this.sampleRate = o.sampleRate;
    this.data = Array.from({ length: o.numberOfChannels }, () => new Float32Array(o.length));
    FakeAudioBuffer.made++;
  }
  copyToChannel(src: Float32Array, i: number) {
    this.data[i]!.set(src);
  }
  getChannelData(i: number) {
    return this.data[i]!;
  }
}

const track = (rate: number, frames: number, channels = 2): TrackAudio => {
  const chs = Array.from({ length: channels }, (_, c) => new Float32Array(frames).map((_, i) => Math.sin(i * 0.01 + c)));
  return { blob: 'b', sampleRate: rate, channelCount: channels, frames, durationSeconds: frames / rate, channels: chs, waveform: {} as TrackAudio['waveform'] };
};
const noContext = {
  createBuffer: () => {
    throw new Error('playback made a second copy');
  },
} as unknown as BaseAudioContext;

describe('playback buffers', () => {
  beforeEach(() => {
    (globalThis as { AudioBuffer?: unknown }).AudioBuffer = FakeAudioBuffer;
    FakeAudioBuffer.made = 0;
  });
  afterEach(() => {
    delete (globalThis as { AudioBuffer?: unknown }).AudioBuffer;
  });

  it('moves the samples into one AudioBuffer that playback then uses without copying', () => {
    const a = track(44100, 5000);
    const kept = adoptForPlayback(a);
    expect(kept).not.toBe(a);
    expect(kept.channels).toHaveLength(2);
    kept.channels.forEach((c, i) => expect(c).toEqual(a.channels[i]));
    const b = playbackBuffer(noContext, 44100, kept.channels) as unknown as FakeAudioBuffer;
    expect(b.data[0]).toBe(kept.channels[0]); // the editor's samples ARE the playback buffer
    expect(b.data[1]).toBe(kept.channels[1]);
    expect(adoptForPlayback(kept)).toBe(kept); // adopting twice changes nothing
    expect(FakeAudioBuffer.made).toBe(1);
    expect({ ...kept, channels: null }).toEqual({ ...a, channels: null });
  });

  it('converts audio that arrived as 16-bit straight into the buffer that plays it', () => {
    const pcm = [Int16Array.from({ length: 3000 }, (_, i) => (i * 37) % 65536 - 32768), Int16Array.from({ length: 3000 }, (_, i) => -i)];
    const channels = playableFromPcm16(pcm, 48000)!;
    expect(FakeAudioBuffer.made).toBe(1);
    channels.forEach((c, k) => c.forEach((v, i) => expect(v).toBe(Math.fround(pcm[k]![i]! / 32768))));
    const a = { ...track(48000, 3000), channels };
    expect(adoptForPlayback(a)).toBe(a); // already playable: no second copy
    expect(playbackBuffer(noContext, 48000, channels)).toBeDefined();
    expect(FakeAudioBuffer.made).toBe(1);
    expect(playableFromPcm16(pcm, 1_000_000)).toBeNull(); // a rate no AudioBuffer takes: the decoder makes floats
    expect(playableFromPcm16([new Int16Array(3), new Int16Array(4)], 48000)).toBeNull();
  });

  it('leaves audio an AudioBuffer cannot hold as it was; playback copies that once', () => {
    for (const a of [track(2000, 100), track(1_000_000, 100), track(44100, 0)]) expect(adoptForPlayback(a)).toBe(a);
    delete (globalThis as { AudioBuffer?: unknown }).AudioBuffer;
    const a = track(16000, 300, 1);
    expect(adoptForPlayback(a)).toBe(a);
    let copies = 0;
    const ctx = {
      createBuffer: (n: number, len: number, sr: number) => {
        copies++;
        return Object.assign(new FakeAudioBuffer({ numberOfChannels: n, length: len, sampleRate: sr }));
      },
    } as unknown as BaseAudioContext;
    const b1 = playbackBuffer(ctx, 16000, a.channels) as unknown as FakeAudioBuffer;
    expect(playbackBuffer(ctx, 16000, a.channels)).toBe(b1 as unknown as AudioBuffer);
    expect(copies).toBe(1);
    expect(b1.data[0]).toEqual(a.channels[0]);
    expect(b1.data[0]).not.toBe(a.channels[0]);
  });
});
