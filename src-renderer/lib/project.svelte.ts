// Editor state: the project document with undo/redo, the audio behind it, running jobs
// with their live previews, the selection, alternatives, settings and what the user is told.
// Large audio lives in $state.raw (never proxied). Every document change autosaves.
import type { JobEvent, JobStartRequest, ProgressEvent, TrackAudio } from '../../src-shared/ipc/contract';
import type { AppError, Result } from '../../src-shared/ipc/result';
import { edits, EMPTY_PROJECT, newTrack, nextColour, audibleTrackIds, tracksWontFit, type ProjectDoc, type TrackDoc } from '../../src-shared/project/doc';
import { canRedo, canUndo, initHistory, pushBesideFuture, pushHistory, redo, undo, type History } from '../../src-shared/project/history';
import { summarize, updateWaveform, waveformSpan } from '../../src-shared/audio/waveform';
import { formatDuration } from '../../src-shared/audio/format';
import { acceptedFrames, acceptFillInPlace } from '../../src-shared/audio/splice';
import { writePreview, spreadBands, type SpreadBand } from '../../src-shared/audio/display';
import { describeReports, type RunningEvent } from '../../src-shared/engine/progress';
import { PRESET_NAMES, type PresetName } from '../../src-shared/engine/jobs';
import { applyProgress, emptyTasks, endTask, openingLabel, type TaskList } from '../../src-shared/ipc/progress-tasks';
import { api, TAKEN_OVER_TEXT } from './api';
import { Transport } from './transport.svelte';
import { adoptForPlayback, playableCopy } from './playback-buffers';
import { heldBytes, releaseUnneeded, settleVersions, wholeAudio, type CompactVersion, type FillLink, type Versions } from './versions';
import { fillPatch, previewIntoPatch, type FillPatch } from './fill-preview';
import { clampStart, zoomedView } from './view-span';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** An exported file the user may reveal. */
  path?: string;
}

/** What one lane shows: a track of the document, or a job's output while it is running. */
export interface Lane {
  id: string;
  name: string;
  colour: string;
  track: TrackDoc | null;
  /**
   * A getter, not a value: Svelte's keyed each keeps the FIRST lane object of each row for as
   * long as the row lives, and a lane holding its audio would pin the version it started with
   * (1.3 GB for an hour of stereo) after an accepted fill replaced it.
   */
  readonly audio: TrackAudio;
  /** Set while a job draws into this lane. */
  jobId: string | null;
}

export interface JobView {
  jobId: string;
  kind: JobStartRequest['kind'];
  label: string;
  sourceTrackId: string | null;
  /** The source track's name when the job started (its results keep it if the track is deleted meanwhile). */
  sourceName?: string;
  progress: RunningEvent | null;
  previews: number;
  /** Lane id -> live display audio (preview lanes of separate/upsample, the source lane of a fill). */
  displays: Record<string, TrackAudio>;
  /** For fills: the region, seconds. */
  region: { start: number; end: number } | null;
  /** For fills: where the previews are written (the lane shows the track with this over it). */
  patch?: FillPatch;
  /** For fills: the version of the track the fill was made from (its preview shows only while the track shows that version). */
  baseBlob?: string;
  startedAt: number;
  firstPreviewMs: number | null;
}

export interface Alternatives {
  trackId: string;
  /** The track's name when the fill finished (said if the track goes). */
  trackName: string;
  region: { start: number; end: number };
  /** Each option holds the stretch around the gap: the track frame it begins at. */
  offset: number;
  options: { name: string; audio: TrackAudio }[];
  /** The spread for each row the waveform view draws (one per channel for mono and stereo). */
  bands: SpreadBand[];
  auditioning: string | null;
}

export interface Selection {
  trackId: string;
  start: number;
  end: number;
}

export interface Settings {
  device: string;
  preset: 'draft' | 'standard' | 'best';
  alternatives: number;
  /** The prior for fills and upsampling; auto: the one under which the audio is more likely. */
  prior: 'auto' | 'piano' | 'voice';
}

/**
 * How much audio of versions nothing needs the window keeps: 512 MB by default, so undoing the
 * deletion of a track is instant up to about 25 min of 44.1 kHz stereo (float samples), and
 * longer audio is read again from the project. `?unneeded-mb=N` in the page's address sets it
 * (the end-to-end test uses 0).
 */
function unneededBudget(): number {
  const mb = Number(globalThis.location?.search ? new URLSearchParams(globalThis.location.search).get('unneeded-mb') ?? NaN : NaN);
  return (Number.isFinite(mb) && mb >= 0 ? mb : 512) * 2 ** 20;
}

let nextId = 1;
const uid = (p: string) => `${p}${Date.now().toString(36)}${(nextId++).toString(36)}`;

/** Nothing to show (a lane asked for audio that is no longer held: it is about to go). */
function emptyAudio(blob: string): TrackAudio {
  const channels = [new Float32Array(0)];
  return { blob, sampleRate: 16000, channelCount: 1, frames: 0, durationSeconds: 0, channels, waveform: summarize(channels, 16000) };
}

/** A zeroed display copy of a track (same rate, channels, length) for a job's previews. */
function blankLike(a: TrackAudio, blob: string): TrackAudio {
  const channels = a.channels.map((c) => new Float32Array(c.length));
  return { ...a, blob, channels, waveform: summarize(channels, a.sampleRate) };
}

/** The source resampled (linearly, for display only) to `rate`: the canvas an upsample refines. */
function atRate(a: TrackAudio, rate: number, blob: string): TrackAudio {
  const frames = Math.round((a.frames * rate) / a.sampleRate);
  const channels = a.channels.map((c) => {
    const out = new Float32Array(frames);
    writePreview(out, rate, c, 0, a.sampleRate);
    return out;
  });
  const waveform = summarize(channels, rate);
  return { blob, sampleRate: rate, channelCount: channels.length, frames, durationSeconds: frames / rate, channels, waveform };
}

export class Project {
  history = $state.raw<History<ProjectDoc>>(initHistory(EMPTY_PROJECT));
  /** blob id -> audio: the versions held whole (every version the document shows, and job outputs). */
  audio = $state.raw(new Map<string, TrackAudio>());
  /** Versions the history may return to, kept as the few frames where they differ (see versions.ts). */
  private compact: ReadonlyMap<string, CompactVersion> = new Map();
  /** Accepted fills: which version was made from which, and where they differ. */
  private fillLinks: FillLink[] = [];
  /** Every version held, whole or compact. */
  private get held(): Versions {
    return { whole: this.audio, compact: this.compact };
  }
  notices = $state<Notice[]>([]);
  busy = $state(0);
  jobs = $state.raw<JobView[]>([]);
  /** Long work that is not an engine job (exports, opening files). */
  private taskList = $state.raw<TaskList>(emptyTasks());
  get tasks(): ProgressEvent[] {
    return this.taskList.tasks;
  }
  selection = $state<Selection | null>(null);
  alternatives = $state.raw<Alternatives | null>(null);
  /** Fills that finished while another fill's alternatives were on offer: offered next, in order. */
  waitingAlternatives = $state.raw<Alternatives[]>([]);
  // draft by default: with today's priors more steps measured worse, not better
  // (bench/eval/results/full: quality vs steps), and draft is 8x faster
  settings = $state<Settings>({ device: 'auto', preset: 'draft', alternatives: 3, prior: 'auto' });
  devices = $state<string[]>(['auto']);
  /** The rate the installed priors run at (below it a mixture can be separated and restored); null until known. */
  modelRate = $state<number | null>(null);
  /** Total Langevin steps per preset (the most any shipped model runs), for the Quality menu; null until known. */
  presetSteps = $state<Record<PresetName, number> | null>(null);
  /** Steps per preset for upsampling, where the models measured their own (else equal to presetSteps). */
  upsampleSteps = $state<Record<PresetName, number> | null>(null);
  separateSteps = $state<Record<PresetName, number> | null>(null);
  saveState = $state<'saved' | 'saving' | 'error' | 'idle'>('idle');
  /** Seconds visible in every zoom view (shared zoom) and their start (shared scroll). */
  visibleSeconds = $state(10);
  viewStart = $state(0);
  /** The lanes' waveform width in pixels (every lane is as wide as the window allows). */
  private laneWidthPx = 1600;
  readonly transport = new Transport();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** The save on its way to the project folder, if one is. */
  private saving: Promise<void> | null = null;
  /** Set when the saved project could not be opened: nothing is saved over it. */
  private saveBlocked = false;
  /**
   * Settles once the saved project has been reopened (or refused). Pending from the start: a file
   * dropped before the reopening even began must wait for it, or its import would be saved over
   * the project before the project was read.
   */
  private openingDone: () => void = () => {};
  private opening: Promise<void> = new Promise<void>((ok) => (this.openingDone = ok));
  /** Events of jobs whose job:start has not answered yet (kept for a moment, for a few jobs at most). */
  private orphanEvents = new Map<string, JobEvent[]>();
  /** Jobs that have ended: late events for them are dropped, never kept as orphans. */
  private endedJobs = new Set<string>();
  /** When each version was last shown (a count of document changes), to let go of the oldest first. */
  private shownAt = new Map<string, number>();
  private docChanges = 0;
  /** Versions being read again from the project (shown again after they were let go). */
  private rereading = new Set<string>();
  /** Versions being written back into the project folder (restoreMissing). */
  private restoring = new Set<string>();
  /** Versions the project folder lost that this window could not write back (the user was told once). */
  private unrestorable = new Set<string>();
  /** How much audio the window keeps of versions nothing needs (deleted tracks, past fills' alternatives). */
  readonly unneededBudgetBytes = unneededBudget();

  constructor() {
    this.transport.setTrackSource(() => {
      const audible = audibleTrackIds(this.doc);
      return this.lanes.map((l) => ({ id: l.id, gainDb: l.track?.gainDb ?? 0, audible: l.track ? audible.has(l.track.id) : true, audio: this.displayOf(l) }));
    });
    api.onJobEvent((e) => this.onJobEvent(e));
    api.onProgress((e) => {
      this.taskList = applyProgress(this.taskList, e);
    });
    // another page is opening the project: save what is not saved yet first, so that it opens
    // with this page's last edits (the host waits for this before it serves that page)
    api.onHandover(() => this.flushPendingSave());
    api.onTakenOver(() => {
      // another page has the project: saving from here would overwrite its work
      this.saveBlocked = true;
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveState = 'error';
      this.notify('error', TAKEN_OVER_TEXT);
    });
  }

  get doc(): ProjectDoc {
    return this.history.present;
  }
  get canUndo() {
    return canUndo(this.history);
  }
  get canRedo() {
    return canRedo(this.history);
  }

  /** Document tracks plus the preview lanes of running jobs (each under its source). */
  get lanes(): Lane[] {
    const out: Lane[] = [];
    const jobLanes = (after: string | null) => {
      for (const j of this.jobs) {
        if (j.sourceTrackId !== after || j.kind === 'inpaint') continue;
        for (const name of Object.keys(j.displays)) {
          const jobId = j.jobId;
          const project = this;
          out.push({
            id: `${jobId}:${name}`,
            name: `${j.label}: ${name}`,
            colour: '#8d99ae',
            track: null,
            get audio() {
              return project.jobs.find((x) => x.jobId === jobId)?.displays[name] ?? emptyAudio(name);
            },
            jobId,
          });
        }
      }
    };
    jobLanes(null);
    const held = this.audio;
    for (const t of this.doc.tracks) {
      if (!held.has(t.blob)) continue;
      const project = this;
      const blob = t.blob;
      out.push({
        id: t.id,
        name: t.name,
        colour: t.colour,
        track: t,
        get audio() {
          return project.audio.get(blob) ?? emptyAudio(blob);
        },
        jobId: null,
      });
      jobLanes(t.id);
    }
    return out;
  }

  /** What a lane shows right now (a fill's live preview replaces the track's audio). */
  displayOf(lane: Lane): TrackAudio {
    if (lane.track) {
      const fill = this.jobs.find((j) => j.kind === 'inpaint' && j.sourceTrackId === lane.track!.id);
      const d = fill?.displays[lane.id];
      // (after an undo, redo or accept on the track while the fill runs, the track's own audio)
      if (d && fill!.baseBlob === lane.track.blob) return d;
    }
    return lane.audio;
  }

  notify(kind: Notice['kind'], text: string, path?: string) {
    this.notices = [...this.notices, { id: nextId++, kind, text, ...(path ? { path } : {}) }];
  }
  dismiss(id: number) {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
  private reportError(error: AppError, context?: string) {
    this.notify('error', context && !error.message.includes(context) ? `${context}: ${error.message}` : error.message);
  }

  // ---- document changes ------------------------------------------------------------------
  private refreshDuration() {
    this.transport.duration = this.lanes.reduce((m, l) => Math.max(m, l.audio.durationSeconds), 0);
    // (a project that got shorter is not shown inside a wider view than it has: "−" would zoom in)
    if (this.transport.duration > 0 && this.visibleSeconds > Math.max(0.05, this.transport.duration)) this.visibleSeconds = Math.max(0.05, this.transport.duration);
    this.viewStart = clampStart(this.viewStart, this.visibleSeconds, this.transport.duration);
  }

  commit(next: ProjectDoc) {
    if (next === this.doc) return;
    this.history = pushHistory(this.history, next);
    this.afterDocChange();
  }
  /**
   * Adds tracks that arrive on their own (a finished job, an import) without dropping the redo
   * branch; refuses them, saying `refused` and why, when they would not fit (counting what is on
   * its way). Returns whether they were added.
   */
  private commitArrivedTracks(tracks: TrackDoc[], after: string | undefined, refused: string): boolean {
    const full = tracksWontFit(this.doc, tracks.length, this.pendingTracks());
    if (full) {
      this.notify('error', `${refused} ${full}`);
      return false;
    }
    const prev = this.history;
    this.history = pushBesideFuture(prev, (d) => edits.addTracks(d, tracks, after), (d) => !tracksWontFit(d, tracks.length));
    if (this.history !== prev) this.afterDocChange();
    return true;
  }
  undo() {
    this.history = undo(this.history);
    this.afterDocChange();
  }
  redo() {
    this.history = redo(this.history);
    this.afterDocChange();
  }
  private afterDocChange() {
    const shown = this.settle();
    this.docChanges++;
    for (const b of shown) this.shownAt.set(b, this.docChanges);
    if (this.alternatives || this.waitingAlternatives.length) this.offerNextAlternatives();
    this.releaseUnneeded();
    this.rereadShown();
    this.refreshDuration();
    if (this.transport.position > this.transport.duration) this.transport.seek(this.transport.duration);
    this.transport.refresh();
    if (this.selection && !this.doc.tracks.some((t) => t.id === this.selection!.trackId)) this.selection = null;
    this.scheduleSave();
  }

  /** Every version the document shows made whole, the ones related to them compact (see settleVersions); returns what is shown. */
  private settle(): Set<string> {
    const held = this.held;
    const shown = new Set(this.doc.tracks.map((t) => t.blob));
    if ([...shown].some((b) => this.compact.has(b))) this.transport.pause(); // its buffer is about to change (see settleVersions)
    const settled = settleVersions(held, this.fillLinks, shown, playableCopy);
    if (settled !== held) {
      this.audio = settled.whole as Map<string, TrackAudio>;
      this.compact = settled.compact;
    }
    return shown;
  }

  /** Bytes of samples this window holds for versions of tracks (not counting running jobs' previews). */
  heldBytes(): number {
    const v = this.held;
    return [...v.whole.keys(), ...v.compact.keys()].reduce((n, b) => n + heldBytes(v, b), 0);
  }

  /** Lets go of the audio of versions nothing needs beyond the budget (see versions.ts: releaseUnneeded). */
  private releaseUnneeded() {
    const keep = new Set(this.doc.tracks.map((t) => t.blob));
    for (const j of this.jobs) {
      const source = this.doc.tracks.find((t) => t.id === j.sourceTrackId);
      if (source) keep.add(source.blob);
    }
    for (const alt of [this.alternatives, ...this.waitingAlternatives]) for (const o of alt?.options ?? []) keep.add(o.audio.blob);
    const r = releaseUnneeded(this.held, keep, this.shownAt, this.unneededBudgetBytes);
    if (!r.released.length) return;
    this.audio = r.versions.whole as Map<string, TrackAudio>;
    this.compact = r.versions.compact;
    for (const b of r.released) this.shownAt.delete(b);
  }

  /** Reads again, from the project, the versions the document shows that were let go. */
  private rereadShown() {
    for (const t of this.doc.tracks) {
      if (this.audio.has(t.blob) || this.compact.has(t.blob) || this.rereading.has(t.blob)) continue;
      void this.reread(t.blob, t.name);
    }
  }

  private async reread(blob: string, name: string) {
    this.rereading.add(blob);
    this.busy++;
    const id = uid('reread');
    const label = `Reloading "${name}" from the project (it was unloaded to save memory)`;
    this.taskList = applyProgress(this.taskList, { id, label, fraction: 0, done: false });
    try {
      const a = await api.readAudio({ blob }, (f) => {
        this.taskList = applyProgress(this.taskList, { id, label: `${label}: ${Math.floor(f * 100)} %`, fraction: f, done: false });
      });
      if (!this.doc.tracks.some((t) => t.blob === blob)) return; // not shown any more
      if (!a.ok) return this.reportError(a.error, `"${name}" could not be reloaded from the project`);
      this.remember(a.value);
      this.settle();
      this.refreshDuration();
    } finally {
      this.rereading.delete(blob);
      this.taskList = endTask(this.taskList, id);
      this.busy--;
    }
  }

  private scheduleSave() {
    if (this.saveBlocked) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveState = 'saving';
    this.saveTimer = setTimeout(() => void this.saveNow(), 250);
  }

  /** Saves at once what is waiting for its save delay (or waits for the save on its way): the page is going. */
  async flushPendingSave(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      await this.saveNow();
    } else await this.saving;
  }

  async saveNow(): Promise<void> {
    this.saveTimer = null;
    if (this.saveBlocked) return;
    const doc = $state.snapshot(this.doc) as ProjectDoc;
    const saved = api.saveProject({ doc });
    const saving = (this.saving = saved.then(() => {}));
    const r = await saved;
    if (this.saving === saving) this.saving = null;
    if (r.ok) {
      this.saveState = this.saveTimer ? 'saving' : 'saved';
      if (r.value.missing.length) await this.restoreMissing(r.value.missing);
    } else {
      this.saveState = 'error';
      this.reportError(r.error, 'The project could not be saved');
    }
  }

  /**
   * Writes back into the project folder, from the audio this window holds, versions the folder
   * has lost (it was moved, deleted or cleaned up while the editor showed them), so that nothing
   * is lost and the project opens again whole. The main side never replaces a version it can
   * read, so asking for one that is there does nothing.
   */
  private async restoreMissing(blobs: readonly string[]): Promise<void> {
    const restored: string[] = [];
    const lost: string[] = [];
    for (const blob of blobs) {
      if (this.restoring.has(blob)) continue;
      const name = this.doc.tracks.find((t) => t.blob === blob)?.name;
      const label = name ? `"${name}"` : 'a result';
      const a = wholeAudio(this.held, blob);
      if (!a) {
        if (!this.unrestorable.has(blob)) lost.push(label);
        this.unrestorable.add(blob);
        continue;
      }
      this.restoring.add(blob);
      try {
        // (a playable buffer may be shared memory, which IPC cannot carry: that is copied)
        const channels = a.channels.map((c) => (c.buffer instanceof ArrayBuffer ? (c as Float32Array<ArrayBuffer>) : new Float32Array(c)));
        const r = await api.restoreAudio({ blob, sampleRate: a.sampleRate, channels });
        if (!r.ok) this.reportError(r.error, `The audio of ${label} could not be written back into the project folder`);
        else if (r.value.restored) restored.push(label);
      } finally {
        this.restoring.delete(blob);
      }
    }
    if (restored.length) {
      this.notify('info', `The project folder had lost the audio of ${restored.join(', ')} (was it moved or deleted?). It was written back from the editor; nothing is lost.`);
    }
    if (lost.length) {
      this.notify('error', `The audio of ${lost.join(', ')} is gone from the project folder (was it moved or deleted?), and this window no longer holds it. Put the folder back, or open the original files again.`);
    }
  }

  /**
   * `call`, and once more after writing back `blobs` (those this window holds) if it failed
   * because their audio is gone from the project folder.
   */
  private async withRestore<T>(blobs: readonly string[], call: () => Promise<Result<T>>): Promise<Result<T>> {
    const r = await call();
    if (r.ok || r.error.code !== 'NOT_FOUND') return r;
    await this.restoreMissing(blobs);
    return call();
  }

  /** Keeps `a` (its samples moved into a playable buffer) and returns what was kept. */
  private remember(a: TrackAudio): TrackAudio {
    const kept = adoptForPlayback(a);
    const m = new Map(this.audio);
    m.set(kept.blob, kept);
    this.audio = m;
    return kept;
  }

  // ---- open / import ---------------------------------------------------------------------
  /** Reopens the saved project. Files dropped meanwhile are opened after it (see importFiles). */
  open(): Promise<void> {
    const run = this.openSaved();
    run.finally(() => this.openingDone()).catch(() => {});
    return run;
  }

  private async openSaved(): Promise<void> {
    this.busy++;
    const id = uid('project');
    try {
      const r = await api.openProject();
      if (!r.ok) return this.refuseToOverwrite(r.error, 'The saved project could not be opened');
      // one message per track: the audio of a whole project may not fit in one
      const blobs = [...new Set(r.value.doc.tracks.map((t) => t.blob))];
      const audio: TrackAudio[] = [];
      for (const [i, blob] of blobs.entries()) {
        const name = r.value.doc.tracks.find((t) => t.blob === blob)?.name ?? blob;
        const label = `Opening the project: "${name}" (${i + 1} of ${blobs.length})`;
        this.taskList = applyProgress(this.taskList, { id, label, fraction: i / blobs.length, done: false });
        const a = await api.readAudio({ blob }, (f) => {
          this.taskList = applyProgress(this.taskList, { id, label: `${label}: ${Math.floor(f * 100)} %`, fraction: (i + f) / blobs.length, done: false });
        });
        if (!a.ok) return this.refuseToOverwrite(a.error, `The saved project could not be opened (track "${name}")`);
        audio.push(adoptForPlayback(a.value));
      }
      this.load(r.value.doc, audio, r.value.warnings);
    } finally {
      this.taskList = endTask(this.taskList, id);
      this.busy--;
    }
  }

  /**
   * Opening the saved project failed: say why, and stop saving, so that what the user does next
   * in this window can never overwrite the saved project (reloading tries the open again).
   */
  private refuseToOverwrite(error: AppError, context: string) {
    this.saveBlocked = true;
    this.saveState = 'error';
    this.reportError(error, context);
    this.notify('error', 'Saving is off in this window so that the saved project is kept as it is. Reload to try opening it again.');
  }

  private load(doc: ProjectDoc, audio: TrackAudio[], warnings: string[]) {
    this.audio = new Map(audio.map((a) => [a.blob, a]));
    this.compact = new Map();
    this.fillLinks = [];
    this.history = initHistory(doc);
    for (const w of warnings) this.notify('error', w);
    const longest = Math.max(0, ...audio.map((a) => a.durationSeconds));
    if (longest > 0) this.visibleSeconds = Math.min(10, Math.max(0.05, longest));
    this.refreshDuration();
    this.saveState = 'saved';
  }

  async importFiles(files: Iterable<File>): Promise<void> {
    // a track added before the saved project is in would be saved over it
    await this.opening.catch(() => {});
    for (const file of files) {
      const full = tracksWontFit(this.doc, 1, this.pendingTracks());
      if (full) {
        this.notify('error', `"${file.name}" was not opened. ${full}`);
        continue;
      }
      this.reservedTracks++; // (released below, before its own track is added)
      let reserved = true;
      this.busy++;
      const id = uid('open');
      /** one progress row per file: this side's stages (reading, sending, receiving) and the main side's */
      const opening = (what: string, fraction: number) => {
        this.taskList = applyProgress(this.taskList, { id, label: openingLabel(file.name, file.size, what), fraction, done: false });
      };
      try {
        opening('reading', 0);
        const r = await api.importFile(file, {
          id,
          // fractions follow where the time goes (bench/editor: for an hour of stereo, half of it
          // is the decoded audio's arrival over the web host's socket)
          onSent: (f) => opening(f < 1 ? `sending to the decoder (${Math.floor(f * 100)} %)` : 'decoding', 0.3 * f),
          onReceived: (f) => opening(`loading into the editor (${Math.floor(f * 100)} %)`, 0.5 + 0.5 * f),
        });
        if (!r.ok) {
          this.notify('error', r.error.message.includes(file.name) ? r.error.message : `Could not open "${file.name}": ${r.error.message}`);
          continue;
        }
        const a = r.value;
        this.reservedTracks--;
        reserved = false;
        this.remember(a);
        const first = this.doc.tracks.length === 0;
        // (checked again there: the reservation kept room, unless the user filled it meanwhile)
        if (!this.commitArrivedTracks([newTrack(uid('t'), a.name, nextColour(this.doc), a, { kind: 'import', file: a.name })], undefined, `"${file.name}" was not opened.`)) continue;
        for (const w of a.warnings) this.notify('info', w);
        if (first) this.visibleSeconds = Math.min(10, Math.max(0.05, a.durationSeconds));
      } catch (e) {
        this.notify('error', `Could not open "${file.name}": ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (reserved) this.reservedTracks--; // (a failed open)
        this.taskList = endTask(this.taskList, id);
        this.busy--;
      }
    }
  }

  // ---- track edits (all undoable) ----------------------------------------------------------
  rename(id: string, name: string) {
    this.commit(edits.rename(this.doc, id, name));
  }
  toggleMute(id: string) {
    const t = this.doc.tracks.find((x) => x.id === id);
    if (t) this.commit(edits.setMuted(this.doc, id, !t.muted));
  }
  toggleSolo(id: string) {
    const t = this.doc.tracks.find((x) => x.id === id);
    if (t) this.commit(edits.setSolo(this.doc, id, !t.solo));
  }
  setGain(id: string, db: number) {
    this.commit(edits.setGain(this.doc, id, db));
  }
  setColour(id: string, colour: string) {
    this.commit(edits.setColour(this.doc, id, colour));
  }
  removeTrack(id: string) {
    this.commit(edits.remove(this.doc, id)); // (afterDocChange keeps the playhead inside what is left)
  }

  /** Narrowest view every lane can show at the same scale, at the lanes' width on screen. */
  private finestSeconds(): number {
    return Math.max(0.01, ...this.lanes.map((l) => (l.audio.waveform.samplesPerPixel * this.laneWidthPx) / l.audio.waveform.sampleRate));
  }

  zoom(factor: number) {
    if (!this.lanes.length) return; // (nothing to show: an import then starts at its own view)
    const longest = Math.max(0.05, this.transport.duration);
    const seconds = Math.min(longest, Math.max(this.finestSeconds(), this.visibleSeconds * factor));
    const view = zoomedView({ start: this.viewStart, seconds: this.visibleSeconds }, seconds, this.transport.position, this.transport.duration);
    this.viewStart = view.start;
    this.visibleSeconds = view.seconds;
  }
  /** The lanes' waveform width on screen changed (a window resize): no lane may be asked for a finer view than it can draw. */
  setLaneWidth(px: number) {
    if (!(px > 0) || px === this.laneWidthPx) return;
    this.laneWidthPx = px;
    if (this.lanes.length && this.visibleSeconds < this.finestSeconds()) this.zoom(1);
  }

  select(sel: Selection | null) {
    const t = sel && this.doc.tracks.find((x) => x.id === sel.trackId);
    if (!sel || !t) {
      this.selection = null;
      return;
    }
    // a lane shows silence past its track's end: a selection stops at the end
    const end = Math.min(sel.end, t.frames / t.sampleRate);
    this.selection = end > sel.start ? { ...sel, end } : null;
  }
  nudgeSelection(seconds: number) {
    const s = this.selection;
    if (!s) return;
    const t = this.doc.tracks.find((x) => x.id === s.trackId);
    const max = t ? t.frames / t.sampleRate : Infinity;
    const d = Math.max(-s.start, Math.min(max - s.end, seconds));
    this.selection = { ...s, start: s.start + d, end: s.end + d };
  }

  // ---- jobs ------------------------------------------------------------------------------------
  /** Devices, model rate and preset steps from the engine. */
  async refreshEngineInfo() {
    const r = await api.engineInfo();
    if (!r.ok) return;
    this.devices = ['auto', ...r.value.devices.filter((d) => d !== 'auto')];
    const rates = r.value.models.flatMap((m) => (m.sampleRate && !m.error ? [m.sampleRate] : []));
    this.modelRate = rates.length ? Math.min(...rates) : null;
    type Presets = Record<PresetName, { levels: number; stepsPerLevel: number }>;
    const stepsOf = (known: Presets[]) =>
      known.length ? (Object.fromEntries(PRESET_NAMES.map((p) => [p, Math.max(...known.map((k) => k[p].levels * k[p].stepsPerLevel))])) as Record<PresetName, number>) : null;
    this.presetSteps = stepsOf(r.value.models.flatMap((m) => (m.presets ? [m.presets] : [])));
    this.upsampleSteps = stepsOf(r.value.models.flatMap((m) => (m.upsamplePresets ? [m.upsamplePresets] : [])));
    this.separateSteps = stepsOf(r.value.models.flatMap((m) => (m.separatePresets ? [m.separatePresets] : [])));
  }

  private options() {
    return { preset: this.settings.preset, device: this.settings.device as 'auto' };
  }

  /** The prior a fill or an upsample names (none: the engine picks the likelier one). */
  private chosenPrior(): { source?: 'piano' | 'voice' } {
    return this.settings.prior === 'auto' ? {} : { source: this.settings.prior };
  }

  /** Tracks promised before they exist: imports being read, jobs whose start has not answered yet. */
  private reservedTracks = 0;

  /** The tracks on their way: what running jobs will add when they finish (a fill adds none: it offers alternatives) and what is reserved. */
  private pendingTracks(): number {
    return this.reservedTracks + this.jobs.reduce((n, j) => n + (j.kind === 'inpaint' ? 0 : Object.keys(j.displays).length), 0);
  }

  private async start(request: JobStartRequest, view: Omit<JobView, 'jobId' | 'progress' | 'previews' | 'startedAt' | 'firstPreviewMs'>) {
    const adds = view.kind === 'inpaint' ? 0 : Object.keys(view.displays).length;
    const full = adds ? tracksWontFit(this.doc, adds, this.pendingTracks()) : null;
    if (full) return this.notify('error', `${view.label} did not start. ${full}`);
    this.reservedTracks += adds; // (until the job is listed)
    let r: Awaited<ReturnType<typeof api.startJob>>;
    try {
      r = await this.withRestore('blob' in request ? [request.blob] : [], () => api.startJob(request));
    } finally {
      this.reservedTracks -= adds;
    }
    if (!r.ok) return this.reportError(r.error, `${view.label} could not start`);
    const job: JobView = { ...view, jobId: r.value.jobId, progress: null, previews: 0, startedAt: performance.now(), firstPreviewMs: null };
    this.jobs = [...this.jobs, job];
    this.refreshDuration();
    for (const e of this.orphanEvents.get(job.jobId) ?? []) this.onJobEvent(e);
    this.orphanEvents.delete(job.jobId);
  }

  /** Split into piano + voice stems; with `restoreRate`, a low-rate mixture is separated and both stems
   *  restored to that rate in the same pass. */
  split(trackId: string, restoreRate?: number) {
    const t = this.doc.tracks.find((x) => x.id === trackId);
    const a = t && this.audio.get(t.blob);
    if (!t || !a) return;
    if (restoreRate !== undefined && restoreRate <= t.sampleRate) return this.notify('error', `"${t.name}" is already at ${t.sampleRate} Hz; split it without restoring.`);
    const blank = (blob: string) => (restoreRate === undefined ? blankLike(a, blob) : atRate(blankLike(a, blob), restoreRate, blob));
    void this.start(
      { kind: 'separate', blob: t.blob, ...(restoreRate !== undefined ? { targetRate: restoreRate } : {}), options: this.options() },
      {
        kind: 'separate',
        label: restoreRate === undefined ? `Split "${t.name}"` : `Split "${t.name}" and restore to ${restoreRate / 1000} kHz`,
        sourceTrackId: t.id,
        sourceName: t.name,
        displays: { piano: blank('preview-piano'), voice: blank('preview-voice') },
        region: null,
      },
    );
  }

  /** Upsample a track to targetRate. `lowpass`: the clip was low-pass filtered before it lost its high band (any
   *  resampled file or low-rate recording: the default); false: every k-th sample of a full-rate signal was kept. */
  upsample(trackId: string, targetRate: number, lowpass = true) {
    const t = this.doc.tracks.find((x) => x.id === trackId);
    const a = t && this.audio.get(t.blob);
    if (!t || !a) return;
    if (targetRate <= t.sampleRate) return this.notify('error', `"${t.name}" is already at ${t.sampleRate} Hz; choose a higher target rate.`);
    void this.start(
      { kind: 'upsample', blob: t.blob, targetRate, lowpass, ...this.chosenPrior(), options: this.options() },
      { kind: 'upsample', label: `Upsample "${t.name}" to ${targetRate / 1000} kHz`, sourceTrackId: t.id, sourceName: t.name, displays: { audio: atRate(a, targetRate, 'preview-audio') }, region: null },
    );
  }

  fill() {
    const s = this.selection;
    const t = s && this.doc.tracks.find((x) => x.id === s.trackId);
    const a = t && this.audio.get(t.blob);
    if (!s || !t || !a) return this.notify('error', 'Select a region on a track first (drag across the waveform).');
    void this.start(
      { kind: 'inpaint', blob: t.blob, regions: [{ start: s.start, end: s.end }], alternatives: this.settings.alternatives, ...this.chosenPrior(), options: this.options() },
      {
        kind: 'inpaint',
        label: `Fill ${(s.end - s.start).toFixed(2)} s at ${formatDuration(s.start)} in "${t.name}"`,
        sourceTrackId: t.id,
        // the lane shows the track itself (never written) with the previews' patch over it
        displays: { [t.id]: { ...a, blob: 'preview-fill' } },
        region: { start: s.start, end: s.end },
        patch: fillPatch(a, s),
        baseBlob: t.blob,
      },
    );
  }

  cancel(jobId: string) {
    void api.cancelJob({ jobId });
  }

  private updateJob(jobId: string, f: (j: JobView) => JobView) {
    this.jobs = this.jobs.map((j) => (j.jobId === jobId ? f(j) : j));
  }

  private endJob(jobId: string) {
    this.endedJobs.add(jobId);
    this.jobs = this.jobs.filter((j) => j.jobId !== jobId);
    this.refreshDuration();
  }

  onJobEvent(e: JobEvent) {
    const job = this.jobs.find((j) => j.jobId === e.jobId);
    if (!job) {
      if (this.endedJobs.has(e.jobId)) return;
      // events can arrive before job:start answers; keep them for a moment
      const list = this.orphanEvents.get(e.jobId) ?? [];
      list.push(e);
      this.orphanEvents.set(e.jobId, list.slice(-50));
      if (this.orphanEvents.size > 8) this.orphanEvents.delete(this.orphanEvents.keys().next().value!);
      return;
    }
    switch (e.status) {
      case 'queued':
        return;
      case 'running':
        return this.updateJob(e.jobId, (j) => ({ ...j, progress: e }));
      case 'preview': {
        const key = job.kind === 'inpaint' ? job.sourceTrackId! : e.track in job.displays ? e.track : Object.keys(job.displays)[0]!;
        const d = job.displays[key];
        if (!d) return;
        let updated: TrackAudio;
        if (job.patch) updated = { ...d, waveform: previewIntoPatch(d, d.waveform, job.patch, e.channel, e.samples, e.start, e.sampleRate) };
        else {
          const ch = d.channels[Math.min(e.channel, d.channels.length - 1)]!;
          const touched = writePreview(ch, d.sampleRate, e.samples, e.start, e.sampleRate);
          updated = { ...d, waveform: updateWaveform(d.waveform, d.channels, d.sampleRate, touched.from, touched.to) };
        }
        return this.updateJob(e.jobId, (j) => ({
          ...j,
          previews: j.previews + 1,
          firstPreviewMs: j.firstPreviewMs ?? performance.now() - j.startedAt,
          displays: { ...j.displays, [key]: updated },
        }));
      }
      case 'failed':
        this.endJob(e.jobId);
        return this.notify('error', `${job.label} failed: ${e.message}`);
      case 'cancelled':
        this.endJob(e.jobId);
        return this.notify('info', `${job.label} was cancelled.`);
      case 'done':
        this.endJob(e.jobId);
        // be honest about weak priors: every warning, and one line of context otherwise
        for (const d of describeReports(e.summary.reports)) this.notify(d.warn ? 'error' : 'info', `${job.label}: ${d.text}`);
        return this.finish(job, e.outputs, e.summary.notes, e.summary.offset ?? 0);
    }
  }

  private finish(job: JobView, received: Record<string, TrackAudio>, notes: string[], offset: number) {
    const outputs = Object.fromEntries(Object.entries(received).map(([name, a]) => [name, this.remember(a)]));
    const source = this.doc.tracks.find((t) => t.id === job.sourceTrackId) ?? null;
    for (const n of notes) this.notify('info', `${job.label}: ${n}`);
    if (job.kind === 'inpaint') {
      if (!job.region) return;
      if (!source) return this.notify('info', `${job.label}: its track was deleted before the fill finished, so there is nothing to choose.`);
      const options = Object.entries(outputs).map(([name, audio]) => ({ name, audio }));
      const sr = source.sampleRate;
      const from = Math.floor(job.region.start * sr);
      const to = Math.ceil(job.region.end * sr);
      const bands = spreadBands(options.map((o) => o.audio.channels), from - offset, to - offset, 400);
      const alt = { trackId: source.id, trackName: source.name, region: job.region, offset, options, bands, auditioning: null };
      if (!this.alternatives) this.alternatives = alt;
      else {
        // never over the choice on offer: this one waits its turn
        this.waitingAlternatives = [...this.waitingAlternatives, alt];
        this.notify('info', `${job.label}: done; its alternatives are offered once you have chosen for the fill on offer now.`);
      }
      return;
    }
    const base = (source?.name ?? job.sourceName)?.replace(/\.[A-Za-z0-9]{1,5}$/, '') ?? 'Generated';
    const tracks: TrackDoc[] = Object.entries(outputs).map(([stem, a], i) =>
      newTrack(
        uid('t'),
        job.kind === 'separate' ? `${base} – ${stem}` : job.kind === 'upsample' ? `${base} (${a.sampleRate / 1000} kHz)` : `${base} ${stem}`,
        nextColour(this.doc, i),
        a,
        { kind: 'job', job: job.kind, from: source?.id ?? null, stem },
      ),
    );
    this.commitArrivedTracks(tracks, source?.id, `${job.label}: its result was not added.`);
  }

  /** The version of the track alternatives go into now: the track's current one (an undo or redo since the fill moves it). */
  private alternativesBase(alt: Alternatives): string | null {
    return this.doc.tracks.find((t) => t.id === alt.trackId)?.blob ?? null;
  }

  /** An accept on its way (a second click, or another choice meanwhile, must not act on what it changes). */
  private accepting = false;

  async acceptAlternative(name: string) {
    const alt = this.alternatives;
    const option = alt?.options.find((o) => o.name === name);
    const baseId = alt && this.alternativesBase(alt);
    const base = baseId ? wholeAudio(this.held, baseId, playableCopy) : null;
    if (!alt || !option || !baseId || !base || this.accepting) return;
    this.accepting = true;
    let r: Awaited<ReturnType<typeof api.acceptFill>>;
    try {
      r = await this.withRestore([baseId, option.audio.blob], () =>
        api.acceptFill({ base: baseId, fill: option.audio.blob, start: alt.region.start, end: alt.region.end, fillOffset: alt.offset }),
      );
    } finally {
      this.accepting = false;
    }
    if (!r.ok) return this.reportError(r.error, 'The fill could not be applied');
    // the same computation the main side makes when it reads the version, from the audio this
    // window holds, over the frames it changes (and the waveform pixels around them) only: the
    // new version is kept as those frames against the base, and takes over the base's buffer
    // when the document shows it (settleVersions), so an hour-long track is never copied
    const { start, end } = alt.region;
    const sr = base.sampleRate;
    const changed = acceptedFrames(start, end, sr, base.frames);
    const span = waveformSpan(base.waveform, sr, base.frames, changed.a, changed.b);
    const from = span.to > span.from ? Math.min(span.from, changed.a) : changed.a;
    const to = span.to > span.from ? Math.max(span.to, changed.b) : changed.b;
    const around = base.channels.map((c) => c.slice(from, to));
    acceptFillInPlace(around, option.audio.channels, alt.offset, start, end, sr, { at: from, frames: base.frames });
    const waveform = updateWaveform(base.waveform, around, sr, changed.a, changed.b, { at: from, frames: base.frames });
    const samples = around.map((c) => c.slice(changed.a - from, changed.b - from));
    const compact = new Map(this.compact);
    if (!this.audio.has(baseId)) {
      this.remember(base); // (a version the document no longer showed: made whole above)
      compact.delete(baseId);
    }
    this.compact = compact.set(r.value.blob, { of: baseId, spans: [{ at: changed.a, samples }], audio: { ...r.value, waveform } });
    this.fillLinks = [...this.fillLinks, { from: baseId, to: r.value.blob, start: changed.a, end: changed.b }];
    this.transport.stop();
    // (before the commit: its doc change offers the next waiting fill; and only this offer: another may be on offer by now)
    if (this.alternatives === alt) this.alternatives = null;
    this.commit(edits.replaceAudio(this.doc, alt.trackId, r.value.blob, r.value.frames));
  }

  dismissAlternatives() {
    if (this.accepting) return; // (the choice on its way wins)
    this.alternatives = null;
    this.offerNextAlternatives();
    this.releaseUnneeded();
  }

  /**
   * Puts the next waiting fill on offer (when none is), leaving out those whose track is gone.
   * Called after each document change (an accept is one) and after "Keep the original".
   */
  private offerNextAlternatives() {
    const present = (a: Alternatives) => this.doc.tracks.some((t) => t.id === a.trackId);
    const gone = [this.alternatives, ...this.waitingAlternatives].filter((a): a is Alternatives => !!a && !present(a));
    for (const a of gone) this.notify('info', `The alternative fills for ${formatDuration(a.region.start)} – ${formatDuration(a.region.end)} in "${a.trackName}" were dropped: the track was deleted.`);
    const waiting = this.waitingAlternatives.filter(present);
    const current = this.alternatives && present(this.alternatives) ? this.alternatives : (waiting.shift() ?? null);
    if (current !== this.alternatives) this.alternatives = current;
    if (waiting.length !== this.waitingAlternatives.length) this.waitingAlternatives = waiting;
  }

  auditionAlternative(name: string) {
    const alt = this.alternatives;
    const option = alt?.options.find((o) => o.name === name);
    const baseId = alt && this.alternativesBase(alt);
    const base = baseId ? wholeAudio(this.held, baseId) : null;
    if (!alt || !option || !base) return;
    this.alternatives = { ...alt, auditioning: name };
    void this.transport.audition(base, option.audio, alt.offset, alt.region.start, alt.region.end);
  }

  // ---- export ------------------------------------------------------------------------------------
  async exportTrack(trackId: string, format: 'pcm16' | 'pcm24' | 'float32', sampleRate?: number) {
    const t = this.doc.tracks.find((x) => x.id === trackId);
    if (!t) return;
    this.busy++;
    try {
      const r = await this.withRestore([t.blob], () => api.exportWav({ blob: t.blob, name: t.name, format, ...(sampleRate ? { sampleRate } : {}) }));
      if (r.ok) this.notify('info', `Exported "${t.name}" to ${r.value.path}`, r.value.path);
      else if (r.error.code !== 'CANCELLED') this.reportError(r.error, `"${t.name}" could not be exported`);
    } finally {
      this.busy--;
    }
  }

  async reveal(path: string) {
    const r = await api.reveal({ path });
    if (!r.ok) this.reportError(r.error);
    else if (!r.value.revealed) this.notify('info', `The file is at ${path}`);
  }
}
