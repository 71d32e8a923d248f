// The ONE contract between the renderer and the main side (Electron IPC or the web host's
// WebSocket). Channel names are `domain:action`. Every request payload is validated at the
// edge with the schemas below; every response is a Result<T>.
import { z } from 'zod';
import type { Result } from './result';
import type { WaveformSummary } from '../audio/waveform';

import { CHANNELS, type Channel } from './channels';

export { CHANNELS, type Channel };

/** Largest file the importer accepts (bytes). A 60-minute 48 kHz stereo 32-bit float WAV is ~1.4 GB. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024 - 1;
const MAX_NAME = 1024;

// ---- app:info -------------------------------------------------------------------------
export const AppInfoRequest = z.object({}).strict();
export type AppInfoRequest = z.infer<typeof AppInfoRequest>;

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'web';
  platform: string;
  /** Audio formats the importer decodes, for the Open dialog and error messages. */
  formats: string[];
}

// ---- audio:import ---------------------------------------------------------------------
/**
 * Import by path (Electron: the renderer gets a dropped or chosen file's path from the
 * preload) or by bytes (web host: the browser reads the file). Source files are only read.
 */
export const AudioImportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      kind: z.literal('bytes'),
      name: z.string().min(1).max(MAX_NAME),
      bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength <= MAX_IMPORT_BYTES, 'file too large'),
    })
    .strict(),
]);
export type AudioImportRequest = z.infer<typeof AudioImportRequest>;

export interface ImportedAudio {
  /** File name shown to the user (no directory). */
  name: string;
  /** Container/codec detected from the bytes (not the extension): wav, flac, mp3, ogg. */
  format: string;
  sampleRate: number;
  channelCount: number;
  frames: number;
  durationSeconds: number;
  /** Planar float32 samples, original rate and channels. */
  channels: Float32Array[];
  /** Precomputed min/max waveform (waveform-data binary) so the UI never scans samples itself. */
  waveform: WaveformSummary;
}

// ---- the table the edges use ------------------------------------------------------------
export const REQUEST_SCHEMAS = {
  [CHANNELS.appInfo]: AppInfoRequest,
  [CHANNELS.audioImport]: AudioImportRequest,
} as const satisfies Record<Channel, z.ZodType>;

export interface RequestMap {
  'app:info': AppInfoRequest;
  'audio:import': AudioImportRequest;
}
export interface ResponseMap {
  'app:info': AppInfo;
  'audio:import': ImportedAudio;
}

export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, x);
}

/** What the renderer sees (window.api in Electron, the WebSocket bridge in the web host). */
export interface Api {
  appInfo(): Promise<Result<AppInfo>>;
  importAudio(request: AudioImportRequest): Promise<Result<ImportedAudio>>;
}
