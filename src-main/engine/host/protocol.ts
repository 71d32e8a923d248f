// Typed, sequence-numbered protocol between the engine host (main process / CLI / web host) and
// the engine process. Every message carries `seq` (per direction, strictly increasing from 1);
// worker replies name the host message they answer in `re`. Audio travels as Float32Array
// (structured clone via `serialization: 'advanced'`).
import type { EngineProgress } from '../../../src-shared/engine/progress';
import type { JobRequest, DeviceName, PresetName } from '../../../src-shared/engine/jobs';
import type { ErrorCode } from '../../../src-shared/ipc/result';

export interface EngineOptions {
  modelDir?: string;
  /** One model card for every source (tests, the tiny model). */
  model?: string;
  device?: DeviceName;
  threads?: number;
}

/** Test hooks: make the engine process die on purpose. */
export type DebugFault = 'crash' | 'oom' | 'hang';

export type HostMessage =
  | { seq: number; type: 'run'; jobId: string; request: JobRequest; options: EngineOptions; fault?: DebugFault }
  | { seq: number; type: 'cancel'; jobId: string }
  | { seq: number; type: 'info'; options: EngineOptions }
  | { seq: number; type: 'shutdown' };

export interface ModelInfo {
  path: string;
  name: string | null;
  source: string | null;
  sampleRate: number | null;
  receptiveField: number | null;
  /** Levels x steps each preset runs with this model (measured card presets or schedule multiples). */
  presets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null;
  /** The same for upsampling, which may have its own measured presets (card `taskPresets.upsample`). */
  upsamplePresets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null;
  /** The same for separation (card `taskPresets.separate`). */
  separatePresets: Record<PresetName, { levels: number; stepsPerLevel: number }> | null;
  error: string | null;
}
export interface EngineInfo {
  devices: string[];
  defaultDevice: string;
  models: ModelInfo[];
  modelDir: string;
  onnxruntime: string;
}

export type WorkerMessage =
  | { seq: number; type: 'ready'; pid: number }
  | { seq: number; type: 'event'; re: number; event: EngineProgress }
  | { seq: number; type: 'info'; re: number; info: EngineInfo }
  | { seq: number; type: 'error'; re: number; error: { name: string; code: ErrorCode; message: string } }
  | { seq: number; type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return !!m && typeof m === 'object' && typeof (m as { seq?: unknown }).seq === 'number' && typeof (m as { type?: unknown }).type === 'string';
}
export function isHostMessage(m: unknown): m is HostMessage {
  return isWorkerMessage(m);
}

/** A message before the sender stamps its sequence number. */
export type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;
