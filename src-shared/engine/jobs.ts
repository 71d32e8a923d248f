// Engine job requests and results (types, plus wholeTrack; shared by engine, host, CLI and UI).
// Audio crosses as planar Float32Array channels (structured-clone / transferable friendly).
import { placePatch } from '../audio/splice';

export type DeviceName = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export const DEVICE_NAMES: readonly DeviceName[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

export type PresetName = 'draft' | 'standard' | 'best';
export const PRESET_NAMES: readonly PresetName[] = ['draft', 'standard', 'best'];

/** Planar audio at any rate / channel count. */
export interface AudioIn {
  sampleRate: number;
  channels: Float32Array[];
}

/** How stereo (or more channels) is handled. 'per-channel': each channel sampled independently
 *  (different seeds per channel); 'mid-side': sample mid and side, recombine (2 channels only). */
export type ChannelMode = 'per-channel' | 'mid-side';

export interface CommonOptions {
  /** draft | standard | best (default 'standard'). */
  preset?: PresetName;
  /** Override Langevin steps per noise level. */
  steps?: number;
  /** Override number of noise levels. */
  levels?: number;
  /** PRNG seed (default 1). Same seed + same input + same model -> same output. */
  seed?: number;
  device?: DeviceName;
  /** ONNX intra-op threads (default: ORT's choice). */
  threads?: number;
  /** Windows per ONNX batch. */
  batch?: number;
  /** Centre samples per window (context is added on both sides). */
  window?: number;
  channelMode?: ChannelMode;
  /** Final Tweedie denoising step (default false: it did not measurably help, bench/engine/curve-*-denoise.md). */
  denoise?: boolean;
  /** Folder with model cards (default resources/models). */
  modelDir?: string;
}

/** A gap to fill, in seconds of the clip's timeline (start inclusive, end exclusive). */
export interface Region {
  start: number;
  end: number;
}

export type JobRequest =
  | ({
      kind: 'separate';
      audio: AudioIn;
      /** Separate a LOW-RATE mixture and restore both stems to this rate in the same pass: the
       *  observation is decimate(piano + voice) = mixture (sum and decimation operators composed).
       *  Needs a clip below the model rate; without it the mixture is separated at its own rate. */
      targetRate?: number;
      /** With targetRate: model the low-rate mixture as low-pass filtered before decimation. */
      lowpass?: boolean;
    } & CommonOptions)
  | ({
      kind: 'upsample';
      audio: AudioIn;
      /** Output rate = clip rate x factor (integer 2..64), or give targetRate. */
      factor?: number;
      targetRate?: number;
      /** Model the low-rate file as low-pass filtered before decimation (Gaussian likelihood) instead of
       *  keeping every k-th sample fixed (pure decimation, the reference). */
      lowpass?: boolean;
      source?: 'piano' | 'voice';
      /** Weight each step by the warm start's local level to this power (0: a fixed step); default: the
       *  card's measured `levelPower.upsample`, else 0. */
      levelPower?: number;
      /** Band-pass each step around the decimation's fold (pure decimation, temperature 0 only); default:
       *  the card's measured `foldBand.upsample`, else false. */
      foldBand?: boolean;
    } & CommonOptions)
  | ({ kind: 'inpaint'; audio: AudioIn; regions: Region[]; alternatives?: number; source?: 'piano' | 'voice' } & CommonOptions)
  | ({ kind: 'generate'; seconds: number; source?: 'piano' | 'voice'; ancestral?: boolean } & CommonOptions);

export type JobKind = JobRequest['kind'];

/** Honesty report for one output track: how far the engine moved from the plain baseline,
 *  and what the prior thinks of each (mean log-density per sample at the final sigma). */
export interface TrackReport {
  track: string;
  /** SNR (dB) of output against the baseline (higher = closer to the baseline). null when no baseline. */
  snrVsBaselineDb: number | null;
  /** Prior mean log p per sample (nats) of the output / of the baseline, at sigma = schedule.sigmaMin. */
  meanLogpOutput: number | null;
  meanLogpBaseline: number | null;
  /** What the baseline is, in words ("cubic spline", "linear fill", "mixture split"). */
  baseline: string | null;
}

export interface JobResult {
  kind: JobKind;
  /** Named output tracks, at `sampleRate`. separate: piano, voice; upsample: audio; inpaint: alt1..n; generate: audio. */
  tracks: Record<string, Float32Array[]>;
  /**
   * inpaint only: the tracks hold frames [offset, offset + length) of the input (the gaps with
   * 10 ms either side); everything else is the input unchanged (placePatch makes whole clips).
   * A fill in an hour-long file then moves and stores a fraction of a second, not the hour.
   */
  offset?: number;
  sampleRate: number;
  reports: TrackReport[];
  device: string;
  model: string[];
  preset: PresetName;
  levels: number;
  stepsPerLevel: number;
  /** Step size the sampler ran at (eta = etaScale * sigma^2): the preset's, the task's or the schedule's. */
  etaScale: number;
  seed: number;
  seconds: number;
  /** Sample updates performed (samples x steps), for throughput. */
  sampleUpdates: number;
  notes: string[];
}

/** Output `name` of a job as a whole clip: a fill's result (see JobResult.offset) placed into the input it was made from. */
export function wholeTrack(result: Pick<JobResult, 'tracks' | 'offset'>, name: string, input: Float32Array[]): Float32Array[] {
  const t = result.tracks[name];
  if (!t) throw new Error(`no output named ${name}`);
  return result.offset === undefined ? t : placePatch(input, t, result.offset);
}
