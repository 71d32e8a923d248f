// ONE shared transport for every track: one AudioContext clock, one playhead. Each
// peaks.js instance gets a thin PlayerAdapter that delegates here, so views never keep
// clocks of their own that could drift.
import type { PlayerAdapter, EventEmitterForPlayerEvents } from 'peaks.js';
import type { TrackAudio } from '../../src-shared/ipc/contract';
import { acceptFill } from '../../src-shared/audio/splice';
import { playbackBuffer } from './playback-buffers';

export interface PlayableTrack {
  id: string;
  gainDb: number;
  /** false: muted, or another track is soloed (it plays silently, so unmuting is heard at once) */
  audible: boolean;
  audio: TrackAudio;
}

/** Pure: the linear gain a track plays at. */
export function playGain(t: Pick<PlayableTrack, 'gainDb' | 'audible'>): number {
  return t.audible ? Math.pow(10, t.gainDb / 20) : 0;
}

/** Pure: where the playhead is, given when playback started. */
export function playheadAt(startOffset: number, startedAtCtx: number, nowCtx: number, duration: number): number {
  return Math.min(duration, Math.max(0, startOffset + (nowCtx - startedAtCtx)));
}

type Source = { buffer: AudioBuffer; gain: number; offset: number; id?: string; audio?: TrackAudio };

export class Transport {
  playing = $state(false);
  /** Playhead in seconds (updated every animation frame while playing). */
  position = $state(0);
  duration = $state(0);

  private ctx: AudioContext | null = null;
  private nodes: AudioScheduledSourceNode[] = [];
  /** The tracks playing now (not an audition): their gain nodes and the audio each was started with. */
  private live = new Map<string, { gain: GainNode; audio: TrackAudio }>();
  private startOffset = 0;
  private startedAt = 0;
  private stopAt = Infinity;
  private raf = 0;
  /** Counts starts and pauses: a start waiting for the audio device gives up when another came after it. */
  private starts = 0;
  /** A start is waiting for the audio device (playback has not begun yet). */
  private starting = false;
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

  private async startSources(sources: Source[], from: number, until = Infinity): Promise<void> {
    const ctx = this.context();
    const start = ++this.starts;
    if (ctx.state === 'suspended') {
      this.starting = true;
      try {
        await ctx.resume();
      } finally {
        if (start === this.starts) this.starting = false;
      }
      // paused, stopped, sought or started again while the audio device woke up: that one wins
      // (before, a stop pressed in that moment was lost and playback began after it)
      if (start !== this.starts) return;
    }
    this.startOffset = from;
    this.startedAt = ctx.currentTime + 0.02;
    this.stopAt = until;
    this.nodes = [];
    this.live = new Map();
    for (const s of sources) {
      const src = ctx.createBufferSource();
      src.buffer = s.buffer;
      const gain = ctx.createGain();
      gain.gain.value = s.gain;
      if (s.id && s.audio) this.live.set(s.id, { gain, audio: s.audio });
      src.connect(gain).connect(ctx.destination);
      const within = from - s.offset;
      if (within < s.buffer.duration) src.start(this.startedAt + Math.max(0, -within), Math.max(0, within));
      this.nodes.push(src);
    }
    this.playing = true;
    this.emit('player.playing', from);
    const tick = () => {
      if (!this.playing) return;
      const t = this.currentTime();
      this.position = t;
      this.emit('player.timeupdate', t);
      if (t >= this.duration || t >= this.stopAt) {
        this.stopNodes();
        this.playing = false;
        this.emit('player.ended', t);
        return;
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  async play(): Promise<void> {
    if (this.playing || this.duration <= 0) return;
    if (this.position >= this.duration) this.position = 0;
    const ctx = this.context();
    const sources = this.tracks().map((t) => ({
      buffer: playbackBuffer(ctx, t.audio.sampleRate, t.audio.channels),
      gain: playGain(t),
      offset: 0,
      id: t.id,
      audio: t.audio,
    }));
    await this.startSources(sources, this.position);
  }

  /**
   * The tracks changed while playing (mute, solo, gain, a delete, an undo, an accepted fill):
   * gains follow at once, smoothly; when a track came, went or has other audio, playback goes
   * on from where it is with the tracks as they are now.
   */
  refresh(): void {
    if (!this.playing || !this.ctx || this.live.size === 0) return; // (an audition plays what it was given)
    const now = this.tracks();
    const same = now.length === this.live.size && now.every((t) => this.live.get(t.id)?.audio === t.audio);
    if (!same) {
      const t = this.currentTime();
      this.pause();
      this.position = Math.min(t, this.duration);
      if (this.position < this.duration) void this.play();
      return;
    }
    for (const t of now) this.live.get(t.id)!.gain.gain.setTargetAtTime(playGain(t), this.ctx.currentTime, 0.01);
  }

  /**
   * Audition a fill in context: the base track with `fill` (which begins at base frame
   * `fillOffset`: the stretch around the gap, or a whole clip at 0) spliced into [start, end),
   * from one second before to one second after the region.
   */
  async audition(base: TrackAudio, fill: TrackAudio, fillOffset: number, start: number, end: number): Promise<void> {
    this.pause();
    const sr = base.sampleRate;
    if (fill.sampleRate !== sr || fill.channels.length !== base.channels.length) return;
    const a = Math.max(0, Math.floor((start - 1) * sr));
    const b = Math.min(base.frames, Math.ceil((end + 1) * sr));
    const around = base.channels.map((c) => c.slice(a, b));
    const spliced = acceptFill(around, fill.channels, fillOffset - a, start - a / sr, end - a / sr, sr);
    const buffer = this.context().createBuffer(spliced.length, Math.max(1, b - a), sr);
    spliced.forEach((ch, i) => buffer.copyToChannel(ch as Float32Array<ArrayBuffer>, i));
    await this.startSources([{ buffer, gain: 1, offset: a / sr }], a / sr, b / sr);
  }

  private stopNodes() {
    for (const s of this.nodes) {
      try {
        s.stop();
      } catch {
        // never started (offset past its end)
      }
      s.disconnect();
    }
    this.nodes = [];
    this.live = new Map();
    cancelAnimationFrame(this.raf);
  }

  pause(): void {
    this.starts++; // (a start still waiting for the audio device is called off)
    this.starting = false;
    if (!this.playing) return;
    this.position = this.currentTime();
    this.stopNodes();
    this.playing = false;
    this.emit('player.pause', this.position);
  }

  stop(): void {
    this.pause();
    this.seek(0);
  }

  toggle(): void {
    if (this.playing || this.starting) this.pause();
    else void this.play();
  }

  seek(time: number): void {
    const t = Math.min(this.duration, Math.max(0, Number.isFinite(time) ? time : 0));
    const wasPlaying = this.playing || this.starting;
    if (wasPlaying) this.pause();
    this.position = t;
    this.emit('player.seeked', t);
    this.emit('player.timeupdate', t);
    if (wasPlaying && t < this.duration) void this.play(); // (at the end it stops there; play() would start over from 0)
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
