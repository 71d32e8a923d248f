// Project state: the tracks and what the user is told. Large audio lives in $state.raw
// (never proxied); per-track flags are small reactive fields.
import type { ImportedAudio } from '../../src-shared/ipc/contract';
import type { AppError } from '../../src-shared/ipc/result';
import { api } from './api';
import { Transport, type PlayableTrack } from './transport.svelte';

export class Track implements PlayableTrack {
  readonly id: string;
  name = $state('');
  muted = $state(false);
  readonly audio: ImportedAudio;
  private cached: AudioBuffer | null = null;

  constructor(id: string, audio: ImportedAudio) {
    this.id = id;
    this.audio = audio;
    this.name = audio.name;
  }

  buffer(ctx: BaseAudioContext): AudioBuffer {
    if (this.cached && this.cached.sampleRate === this.audio.sampleRate) return this.cached;
    const b = ctx.createBuffer(this.audio.channelCount, Math.max(1, this.audio.frames), this.audio.sampleRate);
    this.audio.channels.forEach((ch, i) => b.copyToChannel(ch as Float32Array<ArrayBuffer>, i));
    this.cached = b;
    return b;
  }
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

let nextId = 1;

export class Project {
  tracks = $state.raw<Track[]>([]);
  notices = $state<Notice[]>([]);
  busy = $state(0);
  /** Seconds visible in every zoom view (shared zoom). */
  visibleSeconds = $state(10);
  /** Start time (s) of every zoom view (shared scroll). */
  viewStart = $state(0);
  readonly transport = new Transport();

  constructor() {
    this.transport.setTrackSource(() => this.tracks);
  }

  private refreshDuration() {
    this.transport.duration = this.tracks.reduce((m, t) => Math.max(m, t.audio.durationSeconds), 0);
  }

  notify(kind: Notice['kind'], text: string) {
    this.notices = [...this.notices, { id: nextId++, kind, text }];
  }

  dismiss(id: number) {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  async importFiles(files: Iterable<File>): Promise<void> {
    for (const file of files) {
      this.busy++;
      try {
        const r = await api.importFile(file);
        if (r.ok) this.addTrack(r.value);
        else this.reportError(file.name, r.error);
      } catch (e) {
        this.reportError(file.name, { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
      } finally {
        this.busy--;
      }
    }
  }

  private reportError(name: string, error: AppError) {
    const text = error.message.includes(name) ? error.message : `Could not open "${name}": ${error.message}`;
    this.notify('error', text);
  }

  addTrack(audio: ImportedAudio): Track {
    const track = new Track(`t${nextId++}`, audio);
    this.tracks = [...this.tracks, track];
    if (this.tracks.length === 1) this.visibleSeconds = Math.min(10, Math.max(0.05, audio.durationSeconds));
    this.refreshDuration();
    return track;
  }

  removeTrack(id: string) {
    this.tracks = this.tracks.filter((t) => t.id !== id);
    this.refreshDuration();
    if (this.transport.position > this.transport.duration) this.transport.seek(this.transport.duration);
  }

  zoom(factor: number) {
    const longest = Math.max(0.05, this.transport.duration);
    this.visibleSeconds = Math.min(longest, Math.max(0.01, this.visibleSeconds * factor));
  }
}
