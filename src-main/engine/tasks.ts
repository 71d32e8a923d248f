// Tasks = observation operator + priors + defaults, over any input rate and channel count.
//
// Rates: every task works at the prior's rate (16 kHz for the shipped models). Inputs are resampled
// to it with libsamplerate (best quality) and results are resampled back to the clip's rate (or to the
// requested target rate for upsampling). Where that round trip would change samples the user did not
// ask to change, the original is kept: inpainting splices only the gap into the ORIGINAL clip, and
// separation adds the part of the mixture the model rate cannot represent (above its Nyquist) to the
// stems in equal halves, so piano + voice == mixture exactly at the clip's rate.
//
// Channels: 'per-channel' (default) samples every channel independently with its own seed;
// 'mid-side' (2 channels only) samples mid = (L+R)/2 and side = (L-R)/2 and recombines.
//
// Long inputs: separation and upsampling run in chunks (default 20 s at the model rate) with
// overlapping context (default 0.25 s each side) and a raised-cosine crossfade in the overlap; both
// constraints survive the crossfade (the weights sum to one). Inpainting only ever touches each gap
// plus one receptive field (plus a little LPC context) on each side, which is exact: no other sample
// enters the posterior of the gap. Memory is O(clip) for the arrays plus O(chunk) for the sampler.
//
// Presets: the card's measured `taskPresets[task]` or `presets` (bench/engine/bench.ts --curve --write-presets) or else
// multiples of the card's schedule (levels x steps): draft = ceil(levels/2) levels x ceil(steps/4);
// standard = the card's schedule; best = levels x 2*steps. The final Tweedie denoising step is off by default (it did not measurably
// help: bench/engine/curve-*-denoise.md); `denoise: true` turns it on. Warm starts begin at the card's `warmStart[task]` sigma, else at
// min(sigmaMax, 5*sigmaMin) (platform-facts.md: starting a warm start at high noise destroys it). The Langevin temperature is the
// card's measured `temperature[task]` (the curve bench measures it for upsampling, where 0, a deterministic best estimate, wins
// while the prior is weak), else 1: posterior sampling, which inpainting alternatives need.
import { CodedError } from '../../src-shared/ipc/result';
import type { EngineProgress } from '../../src-shared/engine/progress';
import type { CommonOptions, JobRequest, JobResult, PresetName, TrackReport, ChannelMode, AudioIn, Region } from '../../src-shared/engine/jobs';
import { PRESET_NAMES, DEVICE_NAMES } from '../../src-shared/engine/jobs';
import { resample as defaultResample, RESAMPLE_MAX_RATE } from '../io/resample';
import { regionProblem } from '../../src-shared/audio/splice';
import { findCard, loadPrior, defaultModelDir, type ScorePrior, type Schedule, type OnnxPrior, type ModelCard } from './prior';
import { sample, meanLogp, DEFAULT_WINDOW, DEFAULT_BATCH, type StepInfo } from './sampler';
import { MaskOperator, maskFromGaps, decimationMask, DecimateMap, GaussianObservation, lowpassTaps, sumOperator, NoObservation, type Operator } from './operators';
import { splineUpsample, splineSelfError, lpcFill } from './baselines';
import { localLevels, loudestOf, weightsFromLevels } from './level-weights';
import { foldBandTaps } from './fold-band';
import { subSeed, Rng } from './rng';

export type Source = 'piano' | 'voice';

/** Where tasks get priors from. */
export interface PriorSource {
  get(source: Source): Promise<ScorePrior>;
}

export interface ModelSetOptions {
  modelDir?: string;
  device?: string;
  threads?: number;
  /** One card used for every source (e.g. the tiny test model). */
  model?: string;
  verifyParity?: boolean;
}

/** Loads (once) and caches the priors a job needs. */
export class ModelSet implements PriorSource {
  private cache = new Map<string, Promise<OnnxPrior>>();
  constructor(readonly opts: ModelSetOptions = {}) {}
  get modelDir(): string {
    return this.opts.modelDir ?? defaultModelDir();
  }
  get(source: Source): Promise<ScorePrior> {
    const key = this.opts.model ? '*' : source;
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        const card = this.opts.model ?? (await findCard(this.modelDir, source));
        return loadPrior(card, { device: this.opts.device, threads: this.opts.threads, verifyParity: this.opts.verifyParity });
      })();
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }
  async dispose(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const p of all) await p.then((x) => x.dispose()).catch(() => undefined);
  }
}

export interface TaskEnv {
  priors: PriorSource;
  jobId?: string;
  emit?: (e: EngineProgress) => void;
  signal?: AbortSignal;
  resample?: (channels: Float32Array[], from: number, to: number, frames?: number) => Promise<Float32Array[]>;
  /** Chunk length / overlap in seconds at the model rate (long inputs). */
  chunkSeconds?: number;
  overlapSeconds?: number;
}

const bad = (m: string) => new CodedError('BAD_REQUEST', m);

// ---------------------------------------------------------------- which prior

/** How much of a job's audio (seconds) decides the prior when the job names none. */
export const AUTO_PRIOR_SECONDS = 2;
const SOURCES: Source[] = ['piano', 'voice'];

/** The `n` consecutive samples of `x` with the most energy (all of `x` if it is shorter). */
export function loudestStretch(x: Float32Array, n: number): Float32Array {
  if (x.length <= n) return x;
  let e = 0;
  for (let i = 0; i < n; i++) e += x[i]! * x[i]!;
  let best = e;
  let at = 0;
  for (let i = n; i < x.length; i++) {
    e += x[i]! * x[i]! - x[i - n]! * x[i - n]!;
    if (e > best) {
      best = e;
      at = i - n + 1;
    }
  }
  return x.subarray(at, at + n);
}

/**
 * The prior for a job: the one it names, or else the one under which the job's own audio
 * (`probe`, at `probeRate`) is more likely (mean log density at the prior's smallest sigma):
 * speech gets the voice prior, a piano recording the piano prior, without the user having to
 * say. A note says which was used and why. A prior that cannot be loaded is left out of the
 * choice; if none can, the first one's error is what the user sees.
 */
async function priorFor(source: Source | undefined, env: TaskEnv, probe: Float32Array, probeRate: number, notes: string[], rs: NonNullable<TaskEnv['resample']>): Promise<ScorePrior> {
  if (source) return env.priors.get(source);
  const loaded = await Promise.allSettled(SOURCES.map((s) => env.priors.get(s)));
  const candidates = loaded.flatMap((r, i) => (r.status === 'fulfilled' ? [{ source: SOURCES[i]!, prior: r.value }] : []));
  if (candidates.length === 0) throw (loaded[0] as PromiseRejectedResult).reason;
  if (new Set(candidates.map((c) => c.prior)).size === 1) return candidates[0]!.prior; // one model for every source
  const scored: { source: Source; prior: ScorePrior; logp: number }[] = [];
  for (const c of candidates) {
    const M = c.prior.sampleRate;
    const x = probeRate === M ? probe : (await rs([probe], probeRate, M))[0]!;
    const stretch = loudestStretch(x, Math.round(AUTO_PRIOR_SECONDS * M));
    const sigma = Math.max(c.prior.schedule.sigmaMin, c.prior.sigmaRange.min);
    scored.push({ ...c, logp: await meanLogp(c.prior, stretch, sigma, undefined, undefined, env.signal) });
  }
  if (scored.some((c) => !Number.isFinite(c.logp))) {
    // (too little audio around the job to judge: a gap at the clip's very edge, say)
    notes.push(`Used the ${candidates[0]!.source} prior: there is too little audio here to tell which prior suits it. To use the other, choose it under Prior (CLI: --source).`);
    return candidates[0]!.prior;
  }
  scored.sort((a, b) => b.logp - a.logp);
  const [best, next] = scored as [(typeof scored)[0], (typeof scored)[0] | undefined];
  if (next && best.logp - next.logp < 0.005) {
    notes.push(
      `Used the ${best.source} prior: the ${best.source} and ${next.source} priors rate this audio alike (${best.logp.toFixed(2)} nats/sample), so either would do. To use the other, choose it under Prior (CLI: --source).`,
    );
  } else if (next) {
    notes.push(
      `Used the ${best.source} prior: this audio is more likely under it than under the ${next.source} prior (${best.logp.toFixed(2)} vs ${next.logp.toFixed(2)} nats/sample). To use the other, choose it under Prior (CLI: --source).`,
    );
  }
  return best.prior;
}

// ---------------------------------------------------------------- validation

function validateAudio(a: AudioIn | undefined, what = 'The clip'): AudioIn {
  if (!a || typeof a !== 'object' || !Array.isArray(a.channels)) throw bad(`${what} is missing.`);
  if (!Number.isInteger(a.sampleRate) || a.sampleRate < 1000 || a.sampleRate > 768000) {
    throw bad(`${what} has an unsupported sample rate (${a.sampleRate} Hz).`);
  }
  if (a.channels.length === 0 || a.channels.length > 8) throw bad(`${what} must have 1 to 8 channels (has ${a.channels.length}).`);
  const n = a.channels[0]!.length;
  for (const [c, ch] of a.channels.entries()) {
    if (!(ch instanceof Float32Array)) throw bad(`${what}: channel ${c} is not a Float32Array.`);
    if (ch.length !== n) throw bad(`${what}: channels have different lengths.`);
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i]!)) throw new CodedError('BAD_SAMPLES', `${what} has a NaN or infinite sample (channel ${c}, sample ${i}).`);
    }
  }
  if (n === 0) throw new CodedError('EMPTY_FILE', `${what} is empty (0 samples).`);
  return a;
}

function validateCommon(r: JobRequest): void {
  if (r.preset !== undefined && !PRESET_NAMES.includes(r.preset)) throw bad(`Unknown preset "${r.preset}" (draft, standard, best).`);
  const posInt = (v: unknown, name: string, max: number) => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > max)) throw bad(`${name} must be an integer from 1 to ${max} (got ${String(v)}).`);
  };
  posInt(r.steps, 'steps', 100000);
  posInt(r.levels, 'levels', 1000);
  posInt(r.batch, 'batch', 4096);
  posInt(r.window, 'window', 1 << 22);
  posInt(r.threads, 'threads', 256);
  if (r.seed !== undefined && !(Number.isInteger(r.seed) && r.seed >= 0 && r.seed <= 0xffffffff)) throw bad(`seed must be an integer from 0 to 4294967295.`);
  if (r.device !== undefined && !DEVICE_NAMES.includes(r.device)) {
    throw new CodedError('DEVICE_UNAVAILABLE', `Unknown device "${r.device}". Choose one of: ${DEVICE_NAMES.join(', ')}.`);
  }
  if (r.channelMode !== undefined && r.channelMode !== 'per-channel' && r.channelMode !== 'mid-side') throw bad(`channelMode must be per-channel or mid-side.`);
}

function validateTargetRate(target: number | undefined, clipRate: number): void {
  if (target !== undefined && (!Number.isInteger(target) || target <= clipRate || target > 192000)) {
    throw bad(`targetRate must be a whole number of Hz above the clip's ${clipRate} Hz and at most 192000 (got ${target}).`);
  }
}

/** Validate a job request from an untrusted edge (IPC, CLI). Throws CodedError. */
export function validateRequest(r: JobRequest): JobRequest {
  if (!r || typeof r !== 'object') throw bad('The job request is missing.');
  validateCommon(r);
  switch (r.kind) {
    case 'separate':
      validateAudio(r.audio);
      validateTargetRate(r.targetRate, r.audio.sampleRate);
      if (r.lowpass && r.targetRate === undefined) throw bad('lowpass applies only when separating a low-rate mixture to a targetRate.');
      return r;
    case 'upsample': {
      validateAudio(r.audio);
      if (r.factor === undefined && r.targetRate === undefined) throw bad('upsample needs a factor or a targetRate.');
      if (r.factor !== undefined && (!Number.isInteger(r.factor) || r.factor < 2 || r.factor > 64)) {
        throw bad(`Upsampling factor must be an integer from 2 to 64 (got ${r.factor}).`);
      }
      if (r.factor !== undefined && r.factor * r.audio.sampleRate > RESAMPLE_MAX_RATE) {
        const most = Math.floor(RESAMPLE_MAX_RATE / r.audio.sampleRate);
        throw bad(`Upsampling ${r.audio.sampleRate} Hz by ${r.factor} would give ${r.factor * r.audio.sampleRate} Hz, above the most this editor writes (${RESAMPLE_MAX_RATE} Hz). ${most >= 2 ? `Choose a factor of at most ${most}.` : 'This clip is already at the highest rate.'}`);
      }
      validateTargetRate(r.targetRate, r.audio.sampleRate);
      if (r.levelPower !== undefined && !(Number.isFinite(r.levelPower) && r.levelPower >= 0 && r.levelPower <= 4)) {
        throw bad(`levelPower must be a number from 0 (a fixed step) to 4 (got ${r.levelPower}).`);
      }
      if (r.foldBand !== undefined && typeof r.foldBand !== 'boolean') throw bad(`foldBand must be true or false (got ${JSON.stringify(r.foldBand)}).`);
      if (r.foldBand && r.lowpass) throw bad('foldBand applies to pure decimation only; leave out lowpass or foldBand.');
      return r;
    }
    case 'inpaint': {
      const a = validateAudio(r.audio);
      const dur = a.channels[0]!.length / a.sampleRate;
      if (!Array.isArray(r.regions) || r.regions.length === 0) throw bad('inpaint needs at least one region.');
      for (const g of r.regions) {
        const why = regionProblem(g.start, g.end, dur);
        if (why) throw bad(why);
      }
      if (r.alternatives !== undefined && (!Number.isInteger(r.alternatives) || r.alternatives < 1 || r.alternatives > 16)) {
        throw bad(`alternatives must be an integer from 1 to 16 (got ${r.alternatives}).`);
      }
      return r;
    }
    case 'generate':
      if (!(Number.isFinite(r.seconds) && r.seconds > 0 && r.seconds <= 600)) throw bad(`seconds must be in (0, 600] (got ${r.seconds}).`);
      return r;
    default:
      throw bad(`Unknown job kind "${(r as { kind: unknown }).kind}".`);
  }
}

// ---------------------------------------------------------------- schedule / presets

export interface Plan {
  schedule: Schedule;
  preset: PresetName;
  startSigma: number;
  /** Langevin temperature: the card's measured `temperature[task]`, else 1 (posterior sampling). */
  temperature: number;
  warm: boolean;
}

/** Levels x steps of a preset: the card's measured preset, else a multiple of the card's schedule; and the
 *  step size measured with that preset, if any (else the task's). */
export function presetSchedule(base: Schedule, measuredPresets: ModelCard['presets'], preset: PresetName): { levels: number; stepsPerLevel: number; etaScale?: number } {
  const measured = measuredPresets?.[preset];
  return {
    levels: measured?.levels ?? (preset === 'draft' ? Math.max(1, Math.ceil(base.levels / 2)) : base.levels),
    stepsPerLevel: measured?.stepsPerLevel ?? (preset === 'draft' ? Math.max(1, Math.ceil(base.stepsPerLevel / 4)) : preset === 'best' ? 2 * base.stepsPerLevel : base.stepsPerLevel),
    ...(measured?.etaScale !== undefined ? { etaScale: measured.etaScale } : {}),
  };
}

/** The card's measured presets for a task: its `taskPresets[task]` where given, preset by preset, else `presets`. */
export function measuredPresets(card: ModelCard | null | undefined, task: 'upsample' | 'inpaint' | 'separate' | null): ModelCard['presets'] {
  return { ...card?.presets, ...(task ? card?.taskPresets?.[task] : undefined) };
}

export function planSchedule(prior: ScorePrior, r: JobRequest, warmTask: 'upsample' | 'inpaint' | 'separate' | null): Plan {
  const base = prior.schedule;
  const preset = r.preset ?? 'standard';
  const card = prior.card;
  const chosen = presetSchedule(base, measuredPresets(card, warmTask), preset);
  let { levels, stepsPerLevel: steps } = chosen;
  if (r.levels !== undefined) levels = r.levels;
  if (r.steps !== undefined) steps = r.steps;
  const warm = warmTask !== null;
  const startSigma = warm ? Math.min(base.sigmaMax, card?.warmStart?.[warmTask] ?? 5 * base.sigmaMin) : base.sigmaMax;
  const temperature = warmTask ? (card?.temperature?.[warmTask] ?? 1) : 1;
  // step size: the one measured with this preset, else the task's, else the schedule's
  const etaScale = chosen.etaScale ?? (warmTask ? card?.taskEtaScale?.[warmTask] : undefined) ?? base.etaScale;
  return { schedule: { ...base, levels, stepsPerLevel: steps, etaScale }, preset, startSigma, temperature, warm };
}

// ---------------------------------------------------------------- progress

/** The sampler options every pass of every task shares (schedule, seed per pass, cancel, progress). */
function passOptions(plan: Plan, req: CommonOptions, env: TaskEnv, prog: Progress, pass: number, channel: number, chunk: number) {
  return {
    schedule: plan.schedule,
    startSigma: plan.startSigma,
    temperature: plan.temperature,
    denoise: req.denoise ?? false,
    seed: subSeed(req.seed ?? 1, channel, chunk),
    window: req.window,
    batch: req.batch,
    signal: env.signal,
    onStep: prog.onStep(pass),
  };
}

class Progress {
  private t0 = performance.now();
  private lastRun = 0;
  private lastFraction = 0;
  constructor(
    private env: TaskEnv,
    readonly passes: number,
  ) {}
  onStep(pass: number): (s: StepInfo) => void {
    return (s) => {
      const fraction = Math.min(1, Math.max(this.lastFraction, (pass - 1 + s.fraction) / this.passes));
      const now = performance.now();
      const boundary = s.step === 1 || s.step === s.of;
      if (!boundary && now - this.lastRun < 50) return;
      this.lastRun = now;
      this.lastFraction = fraction;
      const el = (now - this.t0) / 1000;
      this.env.emit?.({
        status: 'running',
        jobId: this.env.jobId ?? '',
        level: s.level,
        levels: s.levels,
        step: s.step,
        of: s.of,
        pass,
        passes: this.passes,
        fraction,
        etaSeconds: fraction > 0.01 ? (el / fraction) * (1 - fraction) : null,
        sigma: s.sigma,
      });
    };
  }
  preview(track: string, channel: number, samples: Float32Array, start: number, sampleRate: number): void {
    this.env.emit?.({ status: 'preview', jobId: this.env.jobId ?? '', track, channel, samples: samples.slice(), start, sampleRate });
  }
}

// ---------------------------------------------------------------- helpers

interface ReportAcc {
  track: string;
  baseline: string | null;
  snrNum: number;
  snrDen: number;
  lpOut: number;
  lpBase: number;
  n: number;
}
const newAcc = (track: string, baseline: string | null): ReportAcc => ({ track, baseline, snrNum: 0, snrDen: 0, lpOut: 0, lpBase: 0, n: 0 });

/** How a job's reports score its results: at the schedule's last sigma, its windows, and cancellable. */
interface Scoring {
  sigma: number;
  window: number;
  batch: number;
  signal?: AbortSignal;
}
function scoring(plan: { schedule: Schedule }, req: CommonOptions, env: TaskEnv): Scoring {
  return { sigma: plan.schedule.sigmaMin, window: req.window ?? DEFAULT_WINDOW, batch: req.batch ?? DEFAULT_BATCH, signal: env.signal };
}

/** Adds one piece to a report: logp over all of out/base, SNR over [snrFrom, snrTo) (default all). */
async function accumulate(acc: ReportAcc, prior: ScorePrior, out: Float32Array, base: Float32Array | null, sc: Scoring, snrFrom = 0, snrTo = out.length, skip: Uint8Array | null = null): Promise<void> {
  const n = out.length;
  if (n === 0) return;
  acc.lpOut += (await meanLogp(prior, out, sc.sigma, sc.window, sc.batch, sc.signal)) * n;
  if (base) {
    acc.lpBase += (await meanLogp(prior, base, sc.sigma, sc.window, sc.batch, sc.signal)) * n;
    for (let i = snrFrom; i < snrTo; i++) {
      if (skip && skip[i]) continue;
      acc.snrNum += base[i]! * base[i]!;
      acc.snrDen += (base[i]! - out[i]!) ** 2;
    }
  }
  acc.n += n;
}
function finishAcc(a: ReportAcc): TrackReport {
  return {
    track: a.track,
    baseline: a.baseline,
    snrVsBaselineDb: a.baseline ? (a.snrDen === 0 ? Infinity : 10 * Math.log10(a.snrNum / a.snrDen)) : null,
    meanLogpOutput: a.n ? a.lpOut / a.n : null,
    meanLogpBaseline: a.baseline && a.n ? a.lpBase / a.n : null,
  };
}

/** Channels -> the signals actually sampled (per-channel or mid/side) and back. */
function toSignals(ch: Float32Array[], mode: ChannelMode): Float32Array[] {
  if (mode === 'mid-side') {
    if (ch.length !== 2) throw bad('mid-side needs exactly 2 channels.');
    const [l, r] = ch as [Float32Array, Float32Array];
    return [l.map((v, i) => 0.5 * (v + r[i]!)), l.map((v, i) => 0.5 * (v - r[i]!))];
  }
  return ch;
}
function fromSignals(s: Float32Array[], mode: ChannelMode): Float32Array[] {
  if (mode === 'mid-side') {
    const [m, d] = s as [Float32Array, Float32Array];
    return [m.map((v, i) => v + d[i]!), m.map((v, i) => v - d[i]!)];
  }
  return s;
}

interface ChunkSpan {
  /** region this chunk owns [a, b) and the span it samples [s, e) */
  a: number;
  b: number;
  s: number;
  e: number;
}
export function chunkSpans(n: number, chunk: number, overlap: number, align = 1): ChunkSpan[] {
  chunk = Math.max(align, Math.round(chunk / align) * align);
  overlap = Math.round(overlap / align) * align;
  if (n <= chunk + overlap) return [{ a: 0, b: n, s: 0, e: n }];
  const out: ChunkSpan[] = [];
  for (let a = 0; a < n; a += chunk) {
    const b = Math.min(n, a + chunk);
    out.push({ a, b, s: Math.max(0, a - overlap), e: Math.min(n, b + overlap) });
  }
  // avoid a tiny last chunk
  if (out.length > 1 && out[out.length - 1]!.b - out[out.length - 1]!.a < overlap) {
    const last = out.pop()!;
    const prev = out[out.length - 1]!;
    prev.b = last.b;
    prev.e = last.e;
  }
  return out;
}

/** Write chunk result r (covering [sp.s, sp.e)) into out with a raised-cosine crossfade over [sp.a - ov, sp.a + ov). */
function stitch(out: Float32Array, r: Float32Array, sp: ChunkSpan, first: boolean): void {
  const ovL = sp.a - sp.s;
  for (let p = sp.s; p < sp.e; p++) {
    const v = r[p - sp.s]!;
    if (!first && p < sp.a + ovL) {
      const w = 0.5 - 0.5 * Math.cos((Math.PI * (p - sp.s + 0.5)) / (2 * ovL));
      out[p] = out[p]! * (1 - w) + v * w;
    } else out[p] = v;
  }
}

function checkLength(n: number, prior: ScorePrior, what: string): void {
  if (n <= prior.receptiveField) {
    throw bad(`${what} is too short: at the model rate it has ${n} samples, the model needs more than ${prior.receptiveField} (${((prior.receptiveField / prior.sampleRate) * 1000).toFixed(1)} ms).`);
  }
}

/** Integer factor k with modelRate / k an integer rate: the smallest low rate >= inRate (never throw
 *  input information away), else (inRate above modelRate / 2) k = 2. */
export function divisorFactor(modelRate: number, inRate: number): number {
  let best = 0;
  for (let k = 2; k <= 64; k++) {
    if (modelRate % k !== 0 || modelRate / k < inRate) continue;
    if (!best || modelRate / k < modelRate / best) best = k;
  }
  if (!best && modelRate % 2 === 0) best = 2;
  if (!best) throw bad(`No integer factor maps ${inRate} Hz onto the model rate ${modelRate} Hz.`);
  return best;
}

// ---------------------------------------------------------------- the tasks

/** The low-rate side shared by upsampling and low-rate separation: the factor k to the model rate M,
 *  the rate the clip is resampled to first (M / k), and notes that say what that costs. */
function lowRateSetup(inRate: number, M: number, target: number, notes: string[]): { k: number; lowRate: number } {
  const k = divisorFactor(M, inRate);
  const lowRate = M / k;
  if (lowRate > inRate) notes.push(`Input resampled from ${inRate} Hz up to ${lowRate} Hz so that the model rate is an integer multiple (x${k}).`);
  if (lowRate < inRate) notes.push(`Input resampled from ${inRate} Hz DOWN to ${lowRate} Hz (x${k} to the model rate): content between ${lowRate / 2} and ${inRate / 2} Hz is re-synthesised by the model, not kept.`);
  if (target > M) notes.push(`The model works at ${M} Hz: nothing is synthesised above ${M / 2} Hz; the result is resampled to ${target} Hz.`);
  return { k, lowRate };
}

/** One channel of a low-rate input, ready to sample: its samples at lowRate (= model rate / k), the
 *  model-rate length n, and the warm-start baseline at the model rate (cubic spline through the
 *  samples, or band-limited sinc interpolation for the low-pass observation model). */
async function lowRateInput(sig: Float32Array, inRate: number, lowRate: number, k: number, lowpass: boolean, prior: ScorePrior, what: string, rs: typeof defaultResample): Promise<{ y: Float32Array; n: number; base: Float32Array }> {
  const y = lowRate === inRate ? sig : (await rs([sig], inRate, lowRate))[0]!;
  const n = y.length * k;
  checkLength(n, prior, what);
  const base = lowpass ? (await rs([y], lowRate, lowRate * k))[0]! : splineUpsample(y, k, n);
  return { y, n, base };
}

/** How the low-rate samples ys constrain n model-rate samples of the SUM of `signals`: pure decimation
 *  (every k-th sample; a hard mask for one signal, the decimated sum projected exactly after every
 *  step for a sum) or, with low-pass taps, a Gaussian likelihood of the filtered, decimated sum (soft:
 *  no exact projection exists, so it needs the schedule's small step size, see `softStepPlan`). */
function lowRateObservation(ys: Float32Array, k: number, n: number, taps: Float32Array | null, signals: number[]): Operator {
  if (!taps && signals.length === 1) return decimationMask(ys, k, n, 0, signals);
  const A = new DecimateMap(k, taps);
  return new GaussianObservation(ys.subarray(0, A.outLength(n)), A, { signals, noise: taps ? 1e-3 : 0, gamma: 15, projectEachStep: !taps });
}

/** A soft Gaussian constraint (gradient gamma / sigma^2 times the residual) is stable only for
 *  etaScale * gamma * signals < 2, so a task whose measured step size assumes a hard constraint
 *  (separation's `taskEtaScale`) runs a soft one at the schedule's own step size. */
export function softStepPlan(plan: Plan, prior: ScorePrior): Plan {
  return { ...plan, schedule: { ...plan.schedule, etaScale: Math.min(plan.schedule.etaScale, prior.schedule.etaScale) } };
}

export async function runJob(req: JobRequest, env: TaskEnv): Promise<JobResult> {
  validateRequest(req);
  const t0 = performance.now();
  switch (req.kind) {
    case 'separate':
      return finish(await separateTask(req, env), t0);
    case 'upsample':
      return finish(await upsampleTask(req, env), t0);
    case 'inpaint':
      return finish(await inpaintTask(req, env), t0);
    case 'generate':
      return finish(req.ancestral ? await ancestralTask(req, env) : await generateTask(req, env), t0);
  }
}
function finish(r: JobResult, t0: number): JobResult {
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}

type Req<K extends JobRequest['kind']> = Extract<JobRequest, { kind: K }>;

function baseResult(req: JobRequest, prior: ScorePrior, plan: Plan, models: string[]): JobResult {
  return {
    kind: req.kind,
    tracks: {},
    sampleRate: prior.sampleRate,
    reports: [],
    device: prior.device,
    model: models,
    preset: plan.preset,
    levels: plan.schedule.levels,
    stepsPerLevel: plan.schedule.stepsPerLevel,
    etaScale: plan.schedule.etaScale,
    seed: req.seed ?? 1,
    seconds: 0,
    sampleUpdates: 0,
    notes: [],
  };
}

/** What every chunk of one separation job shares. */
interface SeparationPass {
  piano: ScorePrior;
  voice: ScorePrior;
  plan: Plan;
  req: Req<'separate'>;
  env: TaskEnv;
  res: JobResult;
  accP: ReportAcc;
  accV: ReportAcc;
}

/** One chunk of a separation: sample piano + voice from `half` (the baseline split in halves) under
 *  `op`, stitch the chunk into the stems (model rate) and add it to both reports. */
async function separateChunk(sep: SeparationPass, prog: Progress, stems: { p: Float32Array; v: Float32Array }, half: Float32Array, op: Operator, sp: ChunkSpan, c: number, ci: number, pass: number): Promise<void> {
  const { piano, voice, plan, req, env, res } = sep;
  const M = piano.sampleRate;
  const r = await sample([{ prior: piano, init: half }, { prior: voice, init: half }], op, {
    ...passOptions(plan, req, env, prog, pass, c, ci),
    onPreview: (x) => {
      prog.preview('piano', c, x[0]!, sp.s, M);
      prog.preview('voice', c, x[1]!, sp.s, M);
    },
  });
  res.sampleUpdates += r.sampleUpdates;
  stitch(stems.p, r.x[0]!, sp, ci === 0);
  stitch(stems.v, r.x[1]!, sp, ci === 0);
  const h = half.subarray(sp.a - sp.s, sp.b - sp.s);
  await accumulate(sep.accP, piano, r.x[0]!.subarray(sp.a - sp.s, sp.b - sp.s), h, scoring(plan, req, env));
  await accumulate(sep.accV, voice, r.x[1]!.subarray(sp.a - sp.s, sp.b - sp.s), h, scoring(plan, req, env));
}

async function separateTask(req: Req<'separate'>, env: TaskEnv): Promise<JobResult> {
  const rs = env.resample ?? defaultResample;
  const piano = await env.priors.get('piano');
  const voice = await env.priors.get('voice');
  if (piano.sampleRate !== voice.sampleRate) throw new CodedError('MODEL_INVALID', 'The piano and voice models have different sample rates.');
  const M = piano.sampleRate;
  const plan = planSchedule(piano, req, 'separate');
  if (req.targetRate !== undefined) return separateLowRate(req, env, piano, voice, plan);
  const mode = req.channelMode ?? 'per-channel';
  const inRate = req.audio.sampleRate;
  const mix = toSignals(req.audio.channels, mode);
  const res = baseResult(req, piano, plan, [piano.name, voice.name]);
  res.sampleRate = inRate;
  const nM = Math.round((mix[0]!.length * M) / inRate);
  checkLength(nM, piano, 'The mixture');
  const chunk = Math.round((env.chunkSeconds ?? 20) * M);
  const ov = Math.round((env.overlapSeconds ?? 0.25) * M);
  const spans = chunkSpans(nM, chunk, ov);
  const prog = new Progress(env, mix.length * spans.length);
  const accP = newAcc('piano', 'mixture split (half each)');
  const accV = newAcc('voice', 'mixture split (half each)');
  const sep: SeparationPass = { piano, voice, plan, req, env, res, accP, accV };
  const outP: Float32Array[] = [];
  const outV: Float32Array[] = [];
  for (const [c, sig] of mix.entries()) {
    const m = (await rs([sig], inRate, M))[0]!;
    const p = new Float32Array(nM);
    const v = new Float32Array(nM);
    for (const [k, sp] of spans.entries()) {
      const mc = m.slice(sp.s, sp.e);
      await separateChunk(sep, prog, { p, v }, mc.map((u) => u / 2), sumOperator(mc), sp, c, k, c * spans.length + k + 1);
    }
    // back to the clip rate; the residual (what the model rate cannot carry) goes half to each stem
    // (exactly the mixture's length: stems must line up with it sample for sample and sum to it)
    const [pc, vc] = inRate === M ? [p, v] : ((await rs([p, v], M, inRate, sig.length)) as [Float32Array, Float32Array]);
    for (let i = 0; i < sig.length; i++) {
      const rsd = (sig[i]! - pc![i]! - vc![i]!) / 2;
      pc![i]! += rsd;
      vc![i]! += rsd;
    }
    outP.push(pc!);
    outV.push(vc!);
  }
  res.tracks = { piano: fromSignals(outP, mode), voice: fromSignals(outV, mode) };
  res.reports = [finishAcc(accP), finishAcc(accV)];
  if (inRate !== M) res.notes.push(`Separated at ${M} Hz; content above ${M / 2} Hz is split equally between the stems so they sum to the mixture.`);
  return res;
}

/** Separate a low-rate mixture and restore both stems to req.targetRate in one pass: the observation is
 *  decimate(piano + voice) = mixture (or its low-passed version), starting from the upsampled mixture
 *  split in halves. Stems come out at the model rate (then resampled to the target), and at the end
 *  decimate(piano + voice) equals the mixture exactly (pure decimation). */
async function separateLowRate(req: Req<'separate'>, env: TaskEnv, piano: ScorePrior, voice: ScorePrior, plan: Plan): Promise<JobResult> {
  const rs = env.resample ?? defaultResample;
  const M = piano.sampleRate;
  const inRate = req.audio.sampleRate;
  const target = req.targetRate!;
  const res = baseResult(req, piano, plan, [piano.name, voice.name]);
  res.sampleRate = target;
  if (inRate >= M) throw bad(`The mixture is already at ${inRate} Hz, at or above the model rate (${M} Hz): separate it without a target rate.`);
  const { k, lowRate } = lowRateSetup(inRate, M, target, res.notes);
  const mode = req.channelMode ?? 'per-channel';
  const mix = toSignals(req.audio.channels, mode);
  const lowpass = req.lowpass ?? false;
  const taps = lowpass ? lowpassTaps(k) : null;
  const chunk = Math.round((env.chunkSeconds ?? 20) * M);
  const ov = Math.round((env.overlapSeconds ?? 0.25) * M);
  const baseName = `${lowpass ? 'sinc' : 'spline'}-upsampled mixture split in halves`;
  const accP = newAcc('piano', baseName);
  const accV = newAcc('voice', baseName);
  const sep: SeparationPass = { piano, voice, plan: taps ? softStepPlan(plan, piano) : plan, req, env, res, accP, accV };
  const outP: Float32Array[] = [];
  const outV: Float32Array[] = [];
  let spans: ChunkSpan[] | null = null;
  let prog: Progress | null = null;
  for (const [c, sig] of mix.entries()) {
    const { y, n, base } = await lowRateInput(sig, inRate, lowRate, k, lowpass, piano, 'The mixture', rs);
    spans ??= chunkSpans(n, chunk, ov, k);
    prog ??= new Progress(env, mix.length * spans.length);
    const p = new Float32Array(n);
    const v = new Float32Array(n);
    for (const [ci, sp] of spans.entries()) {
      const ys = y.slice(sp.s / k, Math.ceil(sp.e / k));
      await separateChunk(sep, prog, { p, v }, base.slice(sp.s, sp.e).map((u) => u / 2), lowRateObservation(ys, k, sp.e - sp.s, taps, [0, 1]), sp, c, ci, c * spans.length + ci + 1);
    }
    // the clip's own length at the target rate (the way through lowRate can round it)
    const [pt, vt] = await rs([p, v], M, target, Math.round((sig.length * target) / inRate));
    outP.push(pt!);
    outV.push(vt!);
  }
  res.tracks = { piano: fromSignals(outP, mode), voice: fromSignals(outV, mode) };
  res.reports = [finishAcc(accP), finishAcc(accV)];
  return res;
}

/** Where one channel's upsampling ascent starts: the plan's start (the card's warm start), or lower where the
 *  card sets `splineErrorStart.upsample` (r) and r x the spline's self-error on the low-rate samples y is smaller:
 *  a spline that already fits closely is not pushed as far. selfError is null where the card sets no r. */
export function upsampleStart(planStart: number, ratio: number | undefined, y: Float32Array): { sigma: number; selfError: number | null } {
  if (ratio === undefined) return { sigma: planStart, selfError: null };
  const selfError = splineSelfError(y);
  return { sigma: Math.min(planStart, ratio * selfError), selfError };
}

/** "4x", "4x and 8x", "4x, 8x and 16x". */
function listFactors(fs: readonly number[]): string {
  const xs = fs.map((f) => `${f}x`);
  return xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}

async function upsampleTask(req: Req<'upsample'>, env: TaskEnv): Promise<JobResult> {
  const rs = env.resample ?? defaultResample;
  const inRate = req.audio.sampleRate;
  const notes: string[] = [];
  const prior = await priorFor(req.source, env, req.audio.channels[0]!, inRate, notes, rs);
  const M = prior.sampleRate;
  const lowpass = req.lowpass ?? false;
  // a low-pass observation is a soft constraint: the measured (possibly long) step would be unstable there
  const planned = planSchedule(prior, req, 'upsample');
  const plan = lowpass ? softStepPlan(planned, prior) : planned;
  const target = req.targetRate ?? inRate * req.factor!;
  const res = baseResult(req, prior, plan, [prior.name]);
  res.notes.push(...notes);
  res.sampleRate = target;
  if (inRate >= M) throw bad(`The clip is already at ${inRate} Hz, at or above the model rate (${M} Hz): there is nothing for the model to add.`);
  const { k, lowRate } = lowRateSetup(inRate, M, target, res.notes);
  const mode = req.channelMode ?? 'per-channel';
  const chans = toSignals(req.audio.channels, mode);
  const taps = lowpass ? lowpassTaps(k) : null;
  const chunk = Math.round((env.chunkSeconds ?? 20) * M);
  const ov = Math.round((env.overlapSeconds ?? 0.25) * M);
  const acc = newAcc('audio', lowpass ? 'band-limited (sinc) interpolation' : 'cubic spline');
  // the factors where the card's ascent was measured to improve on the spline (pure decimation only)
  const measuredFactors = lowpass ? undefined : prior.card?.ascentFactors?.upsample;
  const ascends = !measuredFactors || measuredFactors.includes(k);
  if (measuredFactors && !ascends) {
    res.notes.push(`The ${prior.name} model was measured to improve on the cubic spline only at ${listFactors(measuredFactors)} (not at ${k}x), so the cubic spline is returned unchanged.`);
  }
  const levelPower = req.levelPower ?? prior.card?.levelPower?.upsample ?? 0;
  if (levelPower > 0) res.notes.push(`Steps weighted by the clip's own level (power ${levelPower}): quiet passages move less.`);
  // the fold band: pure decimation at temperature 0 only (a card's setting is left out elsewhere, a request's refused)
  const foldBand = (req.foldBand ?? prior.card?.foldBand?.upsample ?? false) && !lowpass;
  if (foldBand && plan.temperature !== 0) throw bad(`foldBand needs a deterministic ascent, but this model's upsampling runs at temperature ${plan.temperature}.`);
  const stepFilter = foldBand ? foldBandTaps(k) : null;
  if (stepFilter) res.notes.push(`Steps band-passed around the ${Math.round(lowRate / 2)} Hz fold of the ${k}x decimation, where the interpolation's error is.`);
  const input = (sig: Float32Array) => lowRateInput(sig, inRate, lowRate, k, lowpass, prior, 'The clip', rs);
  // level weighting (the card's, from each channel's warm start: observed samples only) needs every channel's
  // input first: one loudest level for all channels, so that a quiet channel moves less than a loud one
  const ready = levelPower > 0 ? await Promise.all(chans.map(input)) : null;
  const levels = ready?.map((r) => localLevels(r.base)) ?? null;
  const loudest = levels ? Math.max(0, ...levels.map(loudestOf)) : 0;
  const outs: Float32Array[] = [];
  let spans: ChunkSpan[] | null = null;
  let prog: Progress | null = null;
  for (const [c, sig] of chans.entries()) {
    const { y, n, base } = ready?.[c] ?? (await input(sig));
    const weights = levels ? weightsFromLevels(levels[c]!, loudest, levelPower) : null;
    spans ??= chunkSpans(n, chunk, ov, k);
    prog ??= new Progress(env, chans.length * spans.length);
    // no self-error to measure where the spline is returned anyway (a factor the card's ascent does not run at)
    const start = upsampleStart(plan.startSigma, lowpass || !ascends ? undefined : prior.card?.splineErrorStart?.upsample, y);
    const what = chans.length > 1 ? `Channel ${c + 1}: the` : 'The';
    const fitsCloser = start.selfError !== null && start.sigma < plan.schedule.sigmaMin;
    if (fitsCloser) res.notes.push(`${what} cubic spline already fits closer (its own error on this clip is ${start.selfError!.toExponential(1)}) than the model's finest noise level (${plan.schedule.sigmaMin}): the spline is returned unchanged.`);
    if (!ascends || fitsCloser) {
      await accumulate(acc, prior, base, base, scoring(plan, req, env));
      prog.preview('audio', c, base, 0, M);
      outs.push((await rs([base], M, target, Math.round((sig.length * target) / inRate)))[0]!);
      continue;
    }
    if (start.selfError !== null && start.sigma < plan.startSigma) {
      res.notes.push(`${what} ascent starts at sigma ${start.sigma.toExponential(1)}, below the model's ${plan.startSigma}: the cubic spline's own error on this clip is ${start.selfError.toExponential(1)}.`);
    }
    const out = new Float32Array(n);
    for (const [ci, sp] of spans.entries()) {
      const len = sp.e - sp.s;
      const init = base.slice(sp.s, sp.e);
      const ys = y.slice(sp.s / k, Math.ceil(sp.e / k));
      const op = lowRateObservation(ys, k, len, taps, [0]);
      const pass = c * spans.length + ci + 1;
      const r = await sample([{ prior, init }], op, {
        ...passOptions(plan, req, env, prog, pass, c, ci),
        startSigma: start.sigma,
        ...(weights ? { stepWeights: [weights.slice(sp.s, sp.e)] } : {}),
        ...(stepFilter ? { stepFilter } : {}),
        onPreview: (x) => prog!.preview('audio', c, x[0]!, sp.s, M),
      });
      res.sampleUpdates += r.sampleUpdates;
      stitch(out, r.x[0]!, sp, ci === 0);
      await accumulate(acc, prior, r.x[0]!.subarray(sp.a - sp.s, sp.b - sp.s), init.subarray(sp.a - sp.s, sp.b - sp.s), scoring(plan, req, env));
    }
    // the clip's own length at the target rate (the way through lowRate can round it)
    outs.push((await rs([out], M, target, Math.round((sig.length * target) / inRate)))[0]!);
  }
  res.tracks = { audio: fromSignals(outs, mode) };
  res.reports = [finishAcc(acc)];
  return res;
}

async function inpaintTask(req: Req<'inpaint'>, env: TaskEnv): Promise<JobResult> {
  const rs = env.resample ?? defaultResample;
  const inRate = req.audio.sampleRate;
  const notes: string[] = [];
  const prior = await priorFor(req.source, env, aroundGaps(req.audio.channels[0]!, inRate, req.regions), inRate, notes, rs);
  const M = prior.sampleRate;
  const plan = planSchedule(prior, req, 'inpaint');
  const nAlt = req.alternatives ?? 1;
  const mode = req.channelMode ?? 'per-channel';
  const chans = toSignals(req.audio.channels, mode);
  const res = baseResult(req, prior, plan, [prior.name]);
  res.notes.push(...notes);
  res.sampleRate = inRate;
  const nIn = chans[0]!.length;
  const nM = Math.round((nIn * M) / inRate);
  checkLength(nM, prior, 'The clip');
  const regions = mergeRegions(req.regions);
  const rf = prior.receptiveField;
  const ctx = Math.max(rf, 2048);
  // segment starts aligned so that s * inRate / M is an integer (exact time alignment on the way back)
  const q = M / gcd(M, inRate);
  // gaps whose segments would overlap are sampled together (each sees the other's fill, not the original)
  type Gap = { a: number; b: number; ia: number; ib: number };
  const gaps: Gap[] = regions.map((g) => {
    // (a region inside the clip's last input frame still gets the model's last frame to fill)
    const a = Math.min(nM - 1, Math.max(0, Math.floor(g.start * M)));
    return { a, b: Math.min(nM, Math.max(a + 1, Math.ceil(g.end * M))), ia: Math.max(0, Math.floor(g.start * inRate)), ib: Math.min(nIn, Math.ceil(g.end * inRate)) };
  });
  const clusters: Gap[][] = [];
  for (const g of gaps) {
    const last = clusters[clusters.length - 1];
    if (last && g.a - last[last.length - 1]!.b <= 2 * ctx) last.push(g);
    else clusters.push([g]);
  }
  const prog = new Progress(env, chans.length * clusters.length);
  const accs = Array.from({ length: nAlt }, (_, i) => newAcc(`alt${i + 1}`, 'LPC extrapolation fill'));
  const outs: Float32Array[][] = Array.from({ length: nAlt }, () => []);
  // the result holds only the stretch around the gaps (see JobResult.offset)
  const margin = Math.ceil(PATCH_MARGIN_SECONDS * inRate);
  const lo = Math.max(0, Math.min(...gaps.map((g) => g.ia)) - margin);
  const hi = Math.min(nIn, Math.max(...gaps.map((g) => g.ib)) + margin);
  for (const [c, sig] of chans.entries()) {
    const alts = Array.from({ length: nAlt }, () => sig.slice(lo, hi));
    for (const [gi, cl] of clusters.entries()) {
      const s = Math.floor(Math.max(0, cl[0]!.a - ctx) / q) * q;
      const e = Math.min(nM, cl[cl.length - 1]!.b + ctx);
      const seg = await modelRateSegment(sig, inRate, M, s, e, rs);
      let base: Float32Array = seg;
      for (const g of cl) base = lpcFill(base, g.a - s, g.b - s);
      const known = maskFromGaps(e - s, cl.map((g) => [g.a - s, g.b - s] as [number, number]));
      const sigs = Array.from({ length: nAlt }, (_, i) => i);
      const pass = c * clusters.length + gi + 1;
      const ga = cl[0]!.a - s;
      const gb = cl[cl.length - 1]!.b - s;
      const r = await sample(sigs.map(() => ({ prior, init: base })), new MaskOperator(seg, known, sigs), {
        ...passOptions(plan, req, env, prog, pass, c, gi),
        onPreview: (x) => x.forEach((xi, i) => prog.preview(`alt${i + 1}`, c, xi.subarray(ga, gb), s + ga, M)),
      });
      res.sampleUpdates += r.sampleUpdates;
      // splice the gaps (at the clip's rate) into the ORIGINAL clip: observed samples stay exact
      const off = (s * inRate) / M; // an integer by the alignment above
      // back at the clip's rate on to the last gap frame (a segment that ends with the clip can come back a few frames short)
      const backFrames = Math.max(Math.max(...cl.map((g) => g.ib)) - off, Math.round(((e - s) * inRate) / M));
      for (const [i, xi] of r.x.entries()) {
        await accumulate(accs[i]!, prior, xi, base, scoring(plan, req, env), ga, gb, known);
        const back = inRate === M ? xi : (await rs([xi], M, inRate, backFrames))[0]!;
        for (const g of cl) {
          for (let j = g.ia; j < g.ib; j++) {
            const v = back[j - off];
            if (v !== undefined) alts[i]![j - lo] = v;
          }
        }
      }
    }
    alts.forEach((x, i) => outs[i]!.push(x));
  }
  res.tracks = Object.fromEntries(outs.map((o, i) => [`alt${i + 1}`, fromSignals(o, mode)]));
  res.offset = lo;
  res.reports = accs.map(finishAcc);
  if (inRate !== M) res.notes.push(`Gaps were filled at ${M} Hz and spliced into the ${inRate} Hz clip; the fill has no content above ${M / 2} Hz.`);
  return res;
}

/** Unchanged audio kept either side of the gaps in a fill's result (room for the splice's crossfade). */
const PATCH_MARGIN_SECONDS = 0.01;

/** Input samples resampled on each side of a segment, beyond the resampler's filter (a few hundred). */
const RESAMPLE_MARGIN = 2048;

/**
 * Samples [s, e) of `sig` at the model rate M, resampling only that stretch plus a margin: a
 * 0.2 s fill in a 20-minute 44.1 kHz stereo file took 87 s when whole channels were resampled.
 * `s` must map to a whole input sample (s * inRate / M an integer); the margin starts on such a
 * sample too, so the model-rate grid of the window coincides with the whole signal's.
 */
export async function modelRateSegment(sig: Float32Array, inRate: number, M: number, s: number, e: number, rs: typeof defaultResample): Promise<Float32Array> {
  if (inRate === M) return sig.slice(s, e);
  const unit = inRate / gcd(M, inRate); // input samples per whole model-rate step of both grids
  const pad = Math.ceil(RESAMPLE_MARGIN / unit) * unit;
  const from = Math.max(0, (s * inRate) / M - pad);
  const to = Math.min(sig.length, Math.ceil((e * inRate) / M) + pad);
  const window = (await rs([sig.subarray(from, to)], inRate, M))[0]!;
  const at = s - (from * M) / inRate;
  return window.slice(at, at + (e - s));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function mergeRegions(rs: Region[]): Region[] {
  const s = [...rs].sort((a, b) => a.start - b.start).map((r) => ({ ...r }));
  const out: Region[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/** The audio either side of a fill's gaps (up to AUTO_PRIOR_SECONDS in all), without the gaps: what decides its prior. */
function aroundGaps(x: Float32Array, rate: number, regions: Region[]): Float32Array {
  const merged = mergeRegions(regions);
  const half = Math.round((AUTO_PRIOR_SECONDS / 2) * rate);
  const first = Math.max(0, Math.floor(merged[0]!.start * rate));
  const last = Math.min(x.length, Math.ceil(merged[merged.length - 1]!.end * rate));
  const before = x.subarray(Math.max(0, first - half), first);
  const after = x.subarray(last, Math.min(x.length, last + half));
  const out = new Float32Array(before.length + after.length);
  out.set(before);
  out.set(after, before.length);
  return out.length > 0 ? out : x;
}

async function generateTask(req: Req<'generate'>, env: TaskEnv): Promise<JobResult> {
  const prior = await env.priors.get(req.source ?? 'piano');
  const M = prior.sampleRate;
  const plan = planSchedule(prior, req, null);
  const n = Math.round(req.seconds * M);
  checkLength(n, prior, 'The requested length');
  const res = baseResult(req, prior, plan, [prior.name]);
  const prog = new Progress(env, 1);
  const r = await sample([{ prior, init: new Float32Array(n) }], NoObservation, {
    ...passOptions(plan, req, env, prog, 1, 0, 0),
    onPreview: (x) => prog.preview('audio', 0, x[0]!, 0, M),
  });
  res.sampleUpdates = r.sampleUpdates;
  res.tracks = { audio: [r.x[0]!] };
  const acc = newAcc('audio', null);
  await accumulate(acc, prior, r.x[0]!, null, scoring(plan, req, env));
  res.reports = [finishAcc(acc)];
  return res;
}

/**
 * Ancestral (sample-by-sample) generation, for comparison with PnF. The score graph has no
 * categorical output, so the conditional of each sample is read off the smoothed density at the
 * smallest sigma: logp(x_t = e_k | x_<t) for every bin centre e_k (one batch of `bins` windows per
 * sample), normalised to a categorical, a bin drawn, plus sigma noise. Cost: bins x (RF+1) per sample.
 */
async function ancestralTask(req: Req<'generate'>, env: TaskEnv): Promise<JobResult> {
  const prior = await env.priors.get(req.source ?? 'piano');
  const bins = prior.card?.bins;
  if (!bins) throw bad('Ancestral generation needs a model card with bin centres.');
  const M = prior.sampleRate;
  const n = Math.round(req.seconds * M);
  checkLength(n, prior, 'The requested length');
  const plan = planSchedule(prior, req, null);
  const res = baseResult(req, prior, plan, [prior.name]);
  const sigma = Math.max(prior.schedule.sigmaMin, prior.sigmaRange.min);
  const rf = prior.receptiveField;
  const K = bins.length;
  const L = rf + 1;
  const x = new Float32Array(n);
  const rng = new Rng(subSeed(req.seed ?? 1, 7));
  const buf = new Float32Array(K * L);
  const sg = new Float32Array(K).fill(sigma);
  const prog = new Progress(env, 1);
  const onStep = prog.onStep(1);
  let lastPrev = performance.now();
  for (let t = 0; t < n; t++) {
    if (env.signal?.aborted) throw new CodedError('CANCELLED', 'The job was cancelled.');
    for (let k = 0; k < K; k++) {
      const o = k * L;
      for (let j = 0; j < rf; j++) {
        const src = t - rf + j;
        buf[o + j] = src >= 0 ? x[src]! : 0;
      }
      buf[o + rf] = bins[k]!;
    }
    const out = await prior.score(buf, K, L, sg);
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, out.logp[k * L + rf]!);
    let tot = 0;
    const p = new Float64Array(K);
    for (let k = 0; k < K; k++) tot += p[k] = Math.exp(out.logp[k * L + rf]! - mx);
    let u = rng.uniform() * tot;
    let pick = K - 1;
    for (let k = 0; k < K; k++) {
      u -= p[k]!;
      if (u <= 0) {
        pick = k;
        break;
      }
    }
    x[t] = bins[pick]! + sigma * rng.normal();
    onStep({ level: 1, levels: 1, step: t + 1, of: n, sigma, fraction: (t + 1) / n });
    if (performance.now() - lastPrev > 250) {
      lastPrev = performance.now();
      prog.preview('audio', 0, x.subarray(0, t + 1), 0, M);
    }
  }
  res.tracks = { audio: [x] };
  res.levels = 1;
  res.stepsPerLevel = n;
  res.sampleUpdates = n;
  const acc = newAcc('audio', null);
  await accumulate(acc, prior, x, null, scoring(plan, req, env));
  res.reports = [finishAcc(acc)];
  res.notes.push(`Ancestral sampling: ${n} sequential model evaluations of ${K} x ${L} samples each (sigma ${sigma}).`);
  return res;
}

/** Run a job and report every state as an event (queued is the host's business). Never throws. */
export async function runJobWithEvents(req: JobRequest, env: TaskEnv & { jobId: string; emit: (e: EngineProgress) => void }): Promise<JobResult | null> {
  try {
    const result = await runJob(req, env);
    env.emit({ status: 'done', jobId: env.jobId, result });
    return result;
  } catch (e) {
    if (e instanceof CodedError && e.code === 'CANCELLED') env.emit({ status: 'cancelled', jobId: env.jobId });
    else if (e instanceof CodedError) env.emit({ status: 'failed', jobId: env.jobId, code: e.code, message: e.message });
    else env.emit({ status: 'failed', jobId: env.jobId, code: 'ENGINE_FAILED', message: `The engine failed: ${(e as Error)?.message ?? String(e)}` });
    return null;
  }
}

