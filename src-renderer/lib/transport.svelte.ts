// ONE shared transport for every track: one AudioContext clock, one playhead. Each
// peaks.js instance gets a thin PlayerAdapter that delegates here, so views never keep
// clocks of their own that could drift.
import type { PlayerAdapter, EventEmitterForPlayerEvents } from 'peaks.js';

export interface PlayableTrack {
  id: string;
  muted: boolean;
  buffer(ctx: BaseAudioContext): AudioBuffer;
}

/** Pure: where the playhead is, given when playback started. */
export function playheadAt(startOffset: number, startedAtCtx: number, nowCtx: number, duration: number): number {
  return Math.min(duration, Math.max(0, startOffset + (nowCtx - startedAtCtx)));
}

export class Transport {
  playing = $state(false);
  /** Playhead in seconds (updated every animation frame while playing). */
  position = $state(0);
  duration = $state(0);

  private ctx: AudioContext | null = null;
  private sources: AudioBufferSourceNode[] = [];
  private startOffset = 0;
  private startedAt = 0;
  private raf = 0;
  private emitters = new Set<EventEmitterForPlayerEvents>();
  private tracks: () => PlayableTrack[] = () => [];

  setTrackSource(source: () => PlayableTrack[]): void {
    this.tracks = source;
  }

  private context(): AudioContext {
    this.ctx ??= new AudioContext({ latencyHint: 'interactive' });
    return this.ctx;
  }

  currentTime(): number {
    if (!this.playing || !this.ctx) return this.position;
    return playheadAt(this.startOffset, this.startedAt, this.ctx.currentTime, this.duration);
  }

  private emit(event: 'player.playing' | 'player.pause' | 'player.seeked' | 'player.timeupdate' | 'player.ended', time: number) {
    for (const e of this.emitters) {
      if (event === 'player.ended') e.emit(event);
      else e.emit(event, time);
    }
  }

  async play(): Promise<void> {
    if (this.playing || this.duration <= 0) return;
    const ctx = this.context();
    if (ctx.state === 'suspended') await ctx.resume();
    if (this.position >= this.duration) this.position = 0;
    this.startOffset = this.position;
    this.startedAt = ctx.currentTime + 0.02;
    this.sources = [];
    for (const t of this.tracks()) {
      if (t.muted) continue;
      const src = ctx.createBufferSource();
      src.buffer = t.buffer(ctx);
      src.connect(ctx.destination);
      if (this.startOffset < src.buffer.duration) src.start(this.startedAt, this.startOffset);
      this.sources.push(src);
    }
    this.playing = true;
    this.emit('player.playing', this.startOffset);
    const tick = () => {
      if (!this.playing) return;
      const t = this.currentTime();
      this.position = t;
      this.emit('player.timeupdate', t);
      if (t >= this.duration) {
        this.stopSources();
        this.playing = false;
        this.emit('player.ended', t);
        return;
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  private stopSources() {
    for (const s of this.sources) {
      try {
        s.stop();
      } catch {
        // never started (offset past its end)
      }
      s.disconnect();
    }
    this.sources = [];
    cancelAnimationFrame(this.raf);
  }

  pause(): void {
    if (!this.playing) return;
    this.position = this.currentTime();
    this.stopSources();
    this.playing = false;
    this.emit('player.pause', this.position);
  }

  stop(): void {
    this.pause();
    this.seek(0);
  }

  toggle(): void {
    if (this.playing) this.pause();
    else void this.play();
  }

  seek(time: number): void {
    const t = Math.min(this.duration, Math.max(0, Number.isFinite(time) ? time : 0));
    const wasPlaying = this.playing;
    if (wasPlaying) this.pause();
    this.position = t;
    this.emit('player.seeked', t);
    this.emit('player.timeupdate', t);
    if (wasPlaying) void this.play();
  }

  /** A peaks.js player adapter bound to this transport (one per peaks instance). */
  adapter(): PlayerAdapter {
    let emitter: EventEmitterForPlayerEvents | null = null;
    return {
      init: async (e) => {
        emitter = e;
        this.emitters.add(e);
        e.emit('player.canplay');
      },
      destroy: () => {
        if (emitter) this.emitters.delete(emitter);
        emitter = null;
      },
      play: () => this.play(),
      pause: () => this.pause(),
      isPlaying: () => this.playing,
      isSeeking: () => false,
      getCurrentTime: () => this.currentTime(),
      getDuration: () => this.duration,
      seek: (t) => this.seek(t),
    };
  }
}
