// The ONE contract between the renderer and the main side (Electron IPC or the web host's
// WebSocket). Channel names are `domain:action`. Every request payload is validated at the
// edge with the schemas below; every response is a Result<T>.
import { z } from 'zod';
import type { Result } from './result';
import type { WaveformSummary } from '../audio/waveform';
import { formatBytes } from '../audio/format';
import { BlobId, ProjectDoc } from '../project/doc';
import type { EngineProgress } from '../engine/progress';
import type { JobResult, PresetName } from '../engine/jobs';
import { CHANNELS, EVENTS, type Channel } from './channels';

export { CHANNELS, EVENTS, type Channel };

/** Largest file the importer accepts (bytes). */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** What the user is told about a file over MAX_IMPORT_BYTES (both hosts, before reading it). */
export function fileTooLargeText(name: string, bytes: number): string {
  return `"${name}" is ${formatBytes(bytes)}; PnF Studio opens files up to ${formatBytes(MAX_IMPORT_BYTES)}. Split it into shorter parts and open those.`;
}
const MAX_NAME = 1024;
const Empty = z.object({}).strict();

// ---- shared shapes ----------------------------------------------------------------------
/** One version of a track's audio, as the UI needs it. */
export interface TrackAudio {
  blob: string;
  sampleRate: number;
  channelCount: number;
  frames: number;
  durationSeconds: number;
  /** Planar float32 samples. */
  channels: Float32Array[];
  /** Precomputed min/max waveform (waveform-data binary) so the UI never scans samples itself. */
  waveform: WaveformSummary;
}

// ---- app:info -----------------------------------------------------------------------------
export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'web';
  platform: string;
  /** Audio formats the importer decodes. */
  formats: string[];
  /** Where the project autosaves. */
  projectDir: string;
}

// ---- audio:import / audio:get ---------------------------------------------------------------
/**
 * Import by path (Electron: the preload gives a dropped or chosen file's path) or by bytes
 * (web host: the browser reads the file). Source files are only read; the audio is copied
 * into the project.
 */
/** The id under which main-side stages of an import are reported as `progress:event`s. */
const ProgressId = z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/);

export const AudioImportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096), progressId: ProgressId.optional() }).strict(),
  z
    .object({
      kind: z.literal('bytes'),
      name: z.string().min(1).max(MAX_NAME),
      bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_IMPORT_BYTES, 'file too large'),
      progressId: ProgressId.optional(),
    })
    .strict(),
]);
export type AudioImportRequest = z.infer<typeof AudioImportRequest>;

export interface ImportedAudio extends TrackAudio {
  /** File name shown to the user (no directory). */
  name: string;
  /** Container/codec detected from the bytes (not the extension): wav, flac, mp3, ogg. */
  format: string;
  /** Things the user should know (e.g. a truncated file was partly recovered). */
  warnings: string[];
}

export const AudioGetRequest = z.object({ blob: BlobId }).strict();

/**
 * Writes back a version of a track that went missing from the project folder (see
 * `project:save`'s `missing`), from the samples the editor holds. Never replaces anything.
 */
export const AudioRestoreRequest = z
  .object({
    blob: BlobId,
    sampleRate: z.number().int().min(1000).max(768000),
    channels: z.array(z.instanceof(Float32Array)).min(1).max(8),
  })
  .strict()
  .refine((r) => r.channels.every((c) => c.length === r.channels[0]!.length), 'the channels have different lengths')
  .refine((r) => r.channels.reduce((n, c) => n + c.byteLength, 0) <= MAX_IMPORT_BYTES, 'the audio is too large')
  .refine((r) => r.channels.every((c) => c.every(Number.isFinite)), 'the audio holds samples that are not numbers');

// ---- project ------------------------------------------------------------------------------------
/**
 * The saved document. Its tracks' audio comes one track per `audio:get`: a project's audio can be
 * more than one message may carry (2 GB over the web host), and the page can show how far it is.
 */
export interface OpenedProject {
  doc: ProjectDoc;
  warnings: string[];
}
export const ProjectSaveRequest = z.object({ doc: ProjectDoc }).strict();

// ---- edits ------------------------------------------------------------------------------------------
/** Accept a fill: the region [start, end) seconds of `fill` replaces that of `base`. */
export const AcceptFillRequest = z
  .object({
    base: BlobId,
    fill: BlobId,
    start: z.number().min(0).max(1e6),
    end: z.number().min(0).max(1e6),
    /** The base frame where `fill` begins (a fill's result holds only the stretch around its gap; see JobResult.offset). */
    fillOffset: z.number().int().min(0).max(2 ** 40),
  })
  .strict()
  .refine((r) => r.end > r.start, 'the region is empty');

/**
 * The stored new version of the track, without its samples: the editor computes them itself
 * with the same acceptFill (src-shared/audio/splice) from the audio it already holds, so an
 * hour-long track does not travel back for a fill of a fraction of a second.
 */
export type AcceptedFill = Omit<TrackAudio, 'channels' | 'waveform'>;

// ---- engine and jobs --------------------------------------------------------------------------------
export const JobOptions = z
  .object({
    preset: z.enum(['draft', 'standard', 'best']).optional(),
    steps: z.number().int().min(1).max(2000).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    device: z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']).optional(),
  })
  .strict();
export type JobOptions = z.infer<typeof JobOptions>;

const Region = z
  .object({ start: z.number().min(0).max(1e6), end: z.number().min(0).max(1e6) })
  .strict()
  .refine((r) => r.end > r.start, 'a region must end after it starts');

export const JobStartRequest = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('separate'),
      blob: BlobId,
      /** A low-rate mixture: separate and restore both stems to this rate in one pass. */
      targetRate: z.number().int().min(8000).max(192000).optional(),
      options: JobOptions.default({}),
    })
    .strict(),
  z
    .object({
      kind: z.literal('upsample'),
      blob: BlobId,
      targetRate: z.number().int().min(8000).max(192000).optional(),
      factor: z.number().int().min(2).max(16).optional(),
      /** How the clip came to its low rate: true = low-pass filtered, then decimated (any resampled file or low-rate
       *  recording); false or absent = every k-th sample of the full-rate signal kept (the paper's setting). */
      lowpass: z.boolean().optional(),
      /** Which prior; none: the one under which the clip is more likely (the engine decides). */
      source: z.enum(['piano', 'voice']).optional(),
      options: JobOptions.default({}),
    })
    .strict()
    .refine((r) => (r.targetRate === undefined) !== (r.factor === undefined), 'give either a target rate or a factor'),
  z
    .object({
      kind: z.literal('inpaint'),
      blob: BlobId,
      regions: z.array(Region).min(1).max(16),
      alternatives: z.number().int().min(1).max(8).default(3),
      /** Which prior; none: the one under which the audio around the gaps is more likely. */
      source: z.enum(['piano', 'voice']).optional(),
      options: JobOptions.default({}),
    })
    .strict(),
  z
    .object({
      kind: z.literal('generate'),
      seconds: z.number().min(0.1).max(60),
      source: z.enum(['piano', 'voice']),
      options: JobOptions.default({}),
    })
    .strict(),
]);
export type JobStartRequest = z.infer<typeof JobStartRequest>;
export const JobCancelRequest = z.object({ jobId: z.string().min(1).max(100) }).strict();

export interface EngineSummary {
  devices: string[];
  defaultDevice: string;
  models: { name: string | null; source: string | null; sampleRate: number | null; error: string | null; presets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null; upsamplePresets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null; separatePresets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null }[];
}

/** The terminal success event as the UI sees it: outputs are stored in the project already. */
export interface JobDoneEvent {
  status: 'done';
  jobId: string;
  outputs: Record<string, TrackAudio>;
  summary: Omit<JobResult, 'tracks'>;
}
export type JobEvent = Exclude<EngineProgress, { status: 'done' }> | JobDoneEvent;

// ---- export --------------------------------------------------------------------------------------------
export const ExportWavRequest = z
  .object({
    blob: BlobId,
    name: z.string().min(1).max(200),
    format: z.enum(['pcm16', 'pcm24', 'float32']),
    sampleRate: z.number().int().min(8000).max(192000).optional(),
  })
  .strict();
export type ExportWavRequest = z.infer<typeof ExportWavRequest>;
export interface ExportedFile {
  path: string;
  bytes: number;
}
export const ShellRevealRequest = z.object({ path: z.string().min(1).max(4096) }).strict();

// ---- the table the edges use ------------------------------------------------------------------------------
export const REQUEST_SCHEMAS = {
  [CHANNELS.appInfo]: Empty,
  [CHANNELS.audioImport]: AudioImportRequest,
  [CHANNELS.audioGet]: AudioGetRequest,
  [CHANNELS.audioRestore]: AudioRestoreRequest,
  [CHANNELS.projectOpen]: Empty,
  [CHANNELS.projectSave]: ProjectSaveRequest,
  [CHANNELS.editAcceptFill]: AcceptFillRequest,
  [CHANNELS.engineInfo]: Empty,
  [CHANNELS.jobStart]: JobStartRequest,
  [CHANNELS.jobCancel]: JobCancelRequest,
  [CHANNELS.exportWav]: ExportWavRequest,
  [CHANNELS.shellReveal]: ShellRevealRequest,
} as const satisfies Record<Channel, z.ZodType>;

export type RequestMap = { [C in Channel]: z.infer<(typeof REQUEST_SCHEMAS)[C]> };
export interface ResponseMap {
  'app:info': AppInfo;
  'audio:import': ImportedAudio;
  'audio:get': TrackAudio;
  'audio:restore': { restored: boolean };
  'project:open': OpenedProject;
  /** `missing`: the document's versions whose audio is gone from the project folder (restore them with `audio:restore`). */
  'project:save': { savedAt: string; missing: string[] };
  'edit:accept-fill': AcceptedFill;
  'engine:info': EngineSummary;
  'job:start': { jobId: string };
  'job:cancel': { cancelled: boolean };
  'export:wav': ExportedFile;
  'shell:reveal': { revealed: boolean };
}
/**
 * Progress of long main-side work: an export (`done` once at the end), or the main-side stages
 * of an import under the renderer's `progressId` (the renderer ends that task itself).
 */
export interface ProgressEvent {
  id: string;
  label: string;
  /** 0..1, never decreasing for one id. */
  fraction: number;
  done: boolean;
}

export interface EventMap {
  'job:event': JobEvent;
  'progress:event': ProgressEvent;
}

export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, x);
}

/** What the renderer sees (window.api in Electron, the WebSocket bridge in the web host). */
export interface Api {
  appInfo(): Promise<Result<AppInfo>>;
  importAudio(request: AudioImportRequest): Promise<Result<ImportedAudio>>;
  getAudio(request: z.input<typeof AudioGetRequest>): Promise<Result<TrackAudio>>;
  openProject(): Promise<Result<OpenedProject>>;
  restoreAudio(request: z.input<typeof AudioRestoreRequest>): Promise<Result<{ restored: boolean }>>;
  saveProject(request: z.input<typeof ProjectSaveRequest>): Promise<Result<ResponseMap['project:save']>>;
  acceptFill(request: z.input<typeof AcceptFillRequest>): Promise<Result<AcceptedFill>>;
  engineInfo(): Promise<Result<EngineSummary>>;
  startJob(request: z.input<typeof JobStartRequest>): Promise<Result<{ jobId: string }>>;
  cancelJob(request: z.input<typeof JobCancelRequest>): Promise<Result<{ cancelled: boolean }>>;
  exportWav(request: ExportWavRequest): Promise<Result<ExportedFile>>;
  reveal(request: z.input<typeof ShellRevealRequest>): Promise<Result<{ revealed: boolean }>>;
  /** Subscribe to job events; returns the unsubscribe function. */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  /** Subscribe to progress of long main-side work; returns the unsubscribe function. */
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}
