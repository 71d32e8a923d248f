// Main-side services behind the IPC contract, shared by the Electron host and the web host.
// The host passes in what differs between them (where exports go, how to reveal a file).
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AppInfo, JobEvent, JobStartRequest, TrackAudio } from '../src-shared/ipc/contract';
import { CodedError, toAppError } from '../src-shared/ipc/result';
import { summarize } from '../src-shared/audio/waveform';
import { openingLabel } from '../src-shared/ipc/progress-tasks';
import { checkAcceptFill, regionProblem } from '../src-shared/audio/splice';
import type { JobRequest } from '../src-shared/engine/jobs';
import type { Handlers, RequestContext } from './ipc/dispatch';
import { decodeOffThread, type DecodeJobResult } from './io/decode-pool';
import { encodeWav } from './io/wav-encode';
import { writeFileAtomic } from './io/atomic-write';
import { sameFile } from './io/same-file';
import { resample } from './io/resample';
import { ProjectStore } from './project/store';
import type { EngineHost } from './engine';
import { trace } from './trace';

export const SUPPORTED_FORMATS = ['wav', 'flac', 'mp3', 'ogg'];

export interface HostDeps {
  host: AppInfo['host'];
  version: string;
  store: ProjectStore;
  engine: EngineHost;
  /** Where an export goes: a full path, or null when the user cancelled. */
  chooseExportPath(suggestedName: string): Promise<string | null>;
  /** An export to a path chooseExportPath gave failed: the name may be given out again (optional). */
  releaseExportPath?(path: string): void;
  /** Show a file in the OS file manager; false where the host cannot. */
  reveal(path: string): Promise<boolean>;
}

function trackAudio(blob: string, d: { sampleRate: number; channels: Float32Array[]; waveform?: DecodeJobResult['waveform'] }): TrackAudio {
  const frames = d.channels[0]?.length ?? 0;
  return {
    blob,
    sampleRate: d.sampleRate,
    channelCount: d.channels.length,
    frames,
    durationSeconds: frames / d.sampleRate,
    channels: d.channels,
    waveform: d.waveform ?? summarize(d.channels, d.sampleRate),
  };
}

/**
 * A file name that does not exist yet in `dir` ("take.wav", "take (2).wav", ...) and is not in
 * `taken`, which it joins: exports running at the same time each get their own name, although
 * none of their files exists until it is written.
 */
export async function uniquePath(dir: string, name: string, taken: Set<string> = new Set()): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; i < 10_000; i++) {
    const candidate = join(dir, i === 1 ? name : `${stem} (${i})${ext}`);
    if (taken.has(candidate)) continue;
    taken.add(candidate); // before the look on disk: another call may choose while this one waits
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
    taken.delete(candidate); // a file has it
  }
  throw new CodedError('INTERNAL', `Too many files named like "${name}" in ${dir}.`);
}

/**
 * The web host's export names in `dir`: each export its own, also while others are still writing;
 * a name whose export failed is free again.
 */
export function exportPathsIn(dir: string): Pick<HostDeps, 'chooseExportPath' | 'releaseExportPath'> {
  const taken = new Set<string>();
  return { chooseExportPath: (name) => uniquePath(dir, name, taken), releaseExportPath: (path) => void taken.delete(path) };
}

/** A safe file name from a track name: no directories, no control characters. */
export function safeFileName(name: string, ext: string): string {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim().slice(0, 120) || 'track';
  return `${base}${ext}`;
}

/**
 * Reports an import's main-side stages under the renderer's progress id (none: reports nothing).
 * Never `done`: the renderer ends the task when the import's answer has arrived.
 */
function importStages(ctx: RequestContext, id: string | undefined, name: string, bytes: number | null) {
  return (what: string, fraction: number) => {
    if (id) ctx.emit('progress:event', { id, label: openingLabel(name, bytes, what), fraction, done: false });
  };
}

/** The size of what is being imported, for labels; null if unknown (decoding reports real errors). */
async function importSize(req: { kind: 'path'; path: string } | { kind: 'bytes'; bytes: Uint8Array }): Promise<number | null> {
  if (req.kind === 'bytes') return req.bytes.byteLength;
  try {
    return (await stat(req.path)).size;
  } catch {
    return null;
  }
}

/** Audio either side of a fill's regions that the engine gets (it uses ~0.2 s). */
const FILL_CONTEXT_SECONDS = 1;

/** Beside project.json: the files opened from disk into this project, so that no later session's export replaces one. */
const OPENED_FILES = 'opened-files.json';
const MAX_REMEMBERED_OPENED = 1000;

/** The files an earlier session opened into the project in `dir` (none if the list is missing or unreadable). */
function rememberedOpenedFiles(dir: string): string[] {
  try {
    const list: unknown = JSON.parse(readFileSync(join(dir, OPENED_FILES), 'utf8'));
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string' && isAbsolute(p)) : [];
  } catch {
    return [];
  }
}

export function createHandlers(deps: HostDeps): Handlers {
  const { store, engine } = deps;
  /** Only files this session exported may be revealed (the renderer cannot name others). */
  const exported = new Set<string>();
  /** Files the user opened from disk (desktop), in any session of this project: never written over, whatever an export is told. */
  const opened = new Set<string>(rememberedOpenedFiles(store.dir));
  /** Keeps `opened` beside the project for the next session (best effort: the guard still holds for this one). */
  async function rememberOpened(path: string) {
    if (opened.has(path)) return;
    opened.add(path);
    try {
      await mkdir(store.dir, { recursive: true });
      await writeFileAtomic(join(store.dir, OPENED_FILES), new TextEncoder().encode(JSON.stringify([...opened].slice(-MAX_REMEMBERED_OPENED))));
    } catch (e) {
      trace(`opened files not remembered: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Why writing `path` would replace something of the user's or the project's, or null. */
  async function exportWouldReplace(path: string): Promise<string | null> {
    for (const f of opened) {
      if (sameFile(path, f)) return `${path} is a file you opened in PnF Studio; an export never writes over it. Choose another name.`;
    }
    const inProject = relative(resolve(store.dir), resolve(path));
    if (!inProject.startsWith('..') && !isAbsolute(inProject) && !inProject.startsWith(`exports${sep}`)) {
      return `${path} is inside the project folder, which PnF Studio manages. Choose a folder outside it.`;
    }
    return null;
  }

  /**
   * The engine's request for a job. A fill gets only the audio around its regions (the engine
   * never looks further: one receptive field plus the resampler's margin), so an hour-long
   * track is not sent to the engine for a fraction of a second; `shift` is where that excerpt
   * starts in the track (input frames), to put previews and the result back in place.
   */
  async function engineRequest(req: JobStartRequest): Promise<{ request: JobRequest; shift: number }> {
    const options = req.options;
    if (req.kind === 'generate') return { request: { kind: 'generate', seconds: req.seconds, source: req.source, ...options }, shift: 0 };
    if (req.kind !== 'inpaint') {
      const t0 = performance.now();
      const a = await store.getAudio(req.blob);
      trace(`job:start read the track in ${(performance.now() - t0).toFixed(0)} ms`);
      const audio = { sampleRate: a.sampleRate, channels: a.channels };
      if (req.kind === 'separate') return { request: { kind: 'separate', audio, ...(req.targetRate !== undefined ? { targetRate: req.targetRate } : {}), ...options }, shift: 0 };
      return { request: { kind: 'upsample', audio, factor: req.factor, targetRate: req.targetRate, ...(req.lowpass !== undefined ? { lowpass: req.lowpass } : {}), ...(req.source ? { source: req.source } : {}), ...options }, shift: 0 };
    }
    // a fill reads only the stretch around its regions
    const t0 = performance.now();
    const { sampleRate: sr, frames } = await store.shapeOf(req.blob);
    // checked against the track here, in the user's numbers (the engine sees only the excerpt)
    for (const r of req.regions) {
      const why = regionProblem(r.start, r.end, frames / sr, 'the track');
      if (why) throw new CodedError('BAD_REQUEST', why);
    }
    const pad = Math.ceil(FILL_CONTEXT_SECONDS * sr);
    const wanted = Math.max(0, Math.floor(Math.min(...req.regions.map((r) => r.start)) * sr) - pad);
    const a = await store.getAudioRange(req.blob, wanted, Math.ceil(Math.max(...req.regions.map((r) => r.end)) * sr) + pad);
    trace(`job:start read ${a.channels[0]?.length ?? 0} of ${a.frames} frames in ${(performance.now() - t0).toFixed(0)} ms`);
    const from = Math.min(wanted, a.frames);
    const excerpt = { sampleRate: sr, channels: a.channels };
    const regions = req.regions.map((r) => ({ start: r.start - from / sr, end: r.end - from / sr }));
    return { request: { kind: 'inpaint', audio: excerpt, regions, alternatives: req.alternatives, source: req.source, ...options }, shift: from };
  }

  return {
    'app:info': async () => ({
      name: 'PnF Studio',
      version: deps.version,
      host: deps.host,
      platform: process.platform,
      formats: SUPPORTED_FORMATS,
      projectDir: store.dir,
    }),

    'audio:import': async (req, ctx) => {
      // A browser page must not make the web host read arbitrary local paths.
      if (req.kind === 'path' && deps.host !== 'electron') {
        throw new CodedError('FORBIDDEN', 'The web host opens uploaded files only; use Open… or drop the file.');
      }
      const name = req.kind === 'path' ? basename(req.path) : basename(req.name);
      if (req.kind === 'path') await rememberOpened(resolve(req.path));
      const stage = importStages(ctx, req.progressId, name, req.progressId ? await importSize(req) : null);
      const { progressId: _, ...source } = req;
      const t0 = performance.now();
      stage('decoding', 0.3);
      const decoded = await decodeOffThread(source); // (the worker gets a copy of the bytes)
      const t1 = performance.now();
      stage('saving a copy in the project', 0.4);
      // keep the file's own bytes: bit-exact and far faster than re-encoding
      const blob = await store.putSource(source, decoded.format, { sampleRate: decoded.sampleRate, channelCount: decoded.channels.length, frames: decoded.channels[0]?.length ?? 0 });
      trace(`audio:import decode ${(t1 - t0).toFixed(0)} ms, store ${(performance.now() - t1).toFixed(0)} ms`);
      stage('loading into the editor', 0.5);
      return { ...trackAudio(blob, decoded), name, format: decoded.format, warnings: decoded.warnings ?? [] };
    },

    'audio:get': async (req) => trackAudio(req.blob, await store.getAudio(req.blob)),

    'project:open': async () => store.load(),

    'audio:restore': async (req) => ({ restored: await store.restoreAudio(req.blob, { sampleRate: req.sampleRate, channels: req.channels }) }),

    'project:save': async (req) => {
      await store.save(req.doc);
      // the folder may have been moved, deleted or cleaned up while the editor still shows the
      // audio: the page writes back what it holds (audio:restore) before anything is lost
      const missing = await store.missingAudio(req.doc.tracks.map((t) => t.blob));
      return { savedAt: new Date().toISOString(), missing };
    },

    'edit:accept-fill': async (req) => {
      // The new version is stored as its recipe (the base, the fill and where it goes): the
      // base's samples are neither read nor written again, which for an hour-long track
      // were most of an accept's time and an hour of disk per accepted fill.
      if (await store.isFillVersion(req.fill)) throw new CodedError('BAD_REQUEST', 'A fill must be a job\'s result, not a version of a track.');
      const [base, fill] = await Promise.all([store.shapeOf(req.base), store.getAudio(req.fill)]);
      if (fill.sampleRate !== base.sampleRate || fill.channels.length !== base.channelCount) {
        throw new CodedError('BAD_REQUEST', 'The fill does not match the track (sample rate or channel count).');
      }
      const { sampleRate: sr, channelCount, frames } = base;
      const outside = regionProblem(req.start, req.end, frames / sr, 'the track');
      if (outside) throw new CodedError('BAD_REQUEST', `The fill was not applied. ${outside}`);
      try {
        checkAcceptFill(frames, channelCount, fill.channels, req.fillOffset, req.start, req.end, sr);
      } catch (e) {
        throw new CodedError('BAD_REQUEST', `The fill does not match the region (${e instanceof Error ? e.message : String(e)}).`);
      }
      const blob = await store.putFillVersion({ kind: 'fill', base: req.base, fill: req.fill, fillOffset: req.fillOffset, start: req.start, end: req.end, sampleRate: sr, channelCount, frames });
      return { blob, sampleRate: sr, channelCount, frames, durationSeconds: frames / sr };
    },

    'engine:info': async () => {
      const info = await engine.info();
      return {
        devices: info.devices,
        defaultDevice: info.defaultDevice,
        models: info.models.map((m) => ({ name: m.name, source: m.source, sampleRate: m.sampleRate, error: m.error, presets: m.presets, upsamplePresets: m.upsamplePresets, separatePresets: m.separatePresets })),
      };
    },

    'job:start': async (req, ctx) => {
      const { request, shift } = await engineRequest(req);
      const inRate = 'audio' in request ? request.audio.sampleRate : 1;
      const handle = engine.submit(request, (e) => {
        if (e.status === 'preview' && shift) {
          ctx.emit('job:event', { ...e, start: e.start + (shift * e.sampleRate) / inRate });
          return;
        }
        if (e.status !== 'done') {
          if (e.status === 'running' && e.pass === 1 && e.level === 1 && e.step === 1) trace(`job ${e.jobId}: first step`);
          ctx.emit('job:event', e as JobEvent);
          return;
        }
        // Store every output in the project before telling the UI: accepted or not, a
        // finished result survives a crash.
        void (async () => {
          try {
            const outputs: Record<string, TrackAudio> = {};
            for (const [name, channels] of Object.entries(e.result.tracks)) {
              const audio = { sampleRate: e.result.sampleRate, channels };
              outputs[name] = trackAudio(await store.putAudio(audio), audio);
            }
            trace(`job ${e.jobId} done; outputs stored`);
            const { tracks: _tracks, ...summary } = e.result;
            if (summary.offset !== undefined) summary.offset += shift;
            ctx.emit('job:event', { status: 'done', jobId: e.jobId, outputs, summary });
          } catch (err) {
            const stored = toAppError(err);
            ctx.emit('job:event', {
              status: 'failed',
              jobId: e.jobId,
              // (the store says what went wrong: a full disk, a folder it may not write, ...)
              code: stored.code,
              message: `The result could not be saved into the project: ${stored.message}`,
            });
          }
        })();
      });
      return { jobId: handle.jobId };
    },

    'job:cancel': async (req) => {
      engine.cancel(req.jobId);
      return { cancelled: true };
    },

    'export:wav': async (req, ctx) => {
      const path = await deps.chooseExportPath(safeFileName(req.name, '.wav'));
      if (!path) throw new CodedError('CANCELLED', 'Export cancelled.');
      let written = false;
      try {
        const replaces = await exportWouldReplace(path);
        if (replaces) throw new CodedError('FORBIDDEN', `Not exported: ${replaces}`);
        const result = await exportTo(path, req, ctx);
        written = true;
        return result;
      } finally {
        if (!written) deps.releaseExportPath?.(path);
      }
    },

    'shell:reveal': async (req) => {
      if (!exported.has(req.path)) throw new CodedError('FORBIDDEN', 'Only files exported in this session can be shown.');
      return { revealed: await deps.reveal(req.path) };
    },
  };

  async function exportTo(path: string, req: Parameters<Handlers['export:wav']>[0], ctx: RequestContext) {
    const id = randomUUID();
    const label = `Exporting "${basename(path)}"`;
    const step = (fraction: number, done = false) => ctx.emit('progress:event', { id, label, fraction, done });
    try {
      step(0);
      const a = await store.getAudio(req.blob);
      step(0.25);
      const resampled = !!req.sampleRate && req.sampleRate !== a.sampleRate;
      const channels = resampled ? await resample(a.channels, a.sampleRate, req.sampleRate!) : a.channels;
      step(0.5);
      const bytes = encodeWav({ sampleRate: req.sampleRate ?? a.sampleRate, channels }, { format: req.format });
      step(0.75);
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, bytes);
      exported.add(path);
      return { path, bytes: bytes.byteLength };
    } finally {
      step(1, true);
    }
  }
}
