// Priors: a learned noise-conditional score graph (ONNX + JSON card) or an analytic stand-in,
// behind one interface the sampler uses.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { CodedError } from '../../src-shared/ipc/result';
import { chooseDevice, sessionOptions, type DeviceChoice } from './device';

export interface Schedule {
  sigmaMax: number;
  sigmaMin: number;
  levels: number;
  stepsPerLevel: number;
  etaScale: number;
}

/** Score of the smoothed prior for a batch of equal-length windows (flat, row-major [B, T]). */
export interface ScoreOutput {
  logp: Float32Array;
  grad: Float32Array;
}

export interface ScorePrior {
  readonly name: string;
  /** The validated card, when the prior came from one. */
  readonly card?: ModelCard;
  readonly source: string;
  readonly sampleRate: number;
  /** logp_t depends on x[t - receptiveField .. t]. */
  readonly receptiveField: number;
  readonly sigmaRange: { min: number; max: number };
  readonly schedule: Schedule;
  /** Device that evaluates it ('cpu', 'cuda', ..., or 'analytic'). */
  readonly device: string;
  /**
   * x: B windows of T samples (flat), sigma: one per window.
   * logp[b,t] = smoothed log p(x_t | x_<t) (0 where the model makes no prediction);
   * grad = d sum(logp) / dx.
   */
  score(x: Float32Array, batch: number, length: number, sigma: Float32Array): Promise<ScoreOutput>;
  dispose(): Promise<void>;
}

const finite = z.number().finite();
const PresetsSchema = z.partialRecord(
  z.enum(['draft', 'standard', 'best']),
  // etaScale: the step size measured with this preset (a short ascent wants a different step than a long one);
  // absent: the task's `taskEtaScale`, else `schedule.etaScale`
  z.object({ levels: z.number().int().positive(), stepsPerLevel: z.number().int().positive(), etaScale: finite.positive().optional() }),
);
export const CardSchema = z.object({
  format: z.literal('pnf-score-graph/1'),
  name: z.string().min(1),
  source: z.enum(['piano', 'voice', 'test']),
  onnx: z.string().min(1),
  parity: z.string().min(1).optional(),
  sampleRate: z.number().int().positive(),
  mu: z.number().int().positive().optional(),
  bins: z.array(finite).min(2),
  receptiveField: z.number().int().nonnegative(),
  sigma: z.object({ min: finite.positive(), max: finite.positive() }),
  schedule: z.object({
    sigmaMax: finite.positive(),
    sigmaMin: finite.positive(),
    levels: z.number().int().positive(),
    stepsPerLevel: z.number().int().positive(),
    etaScale: finite.positive(),
  }),
  /** Optional measured presets (levels x steps), set by whoever measured quality vs steps for this model. */
  presets: PresetsSchema.optional(),
  /** Optional measured presets for one task that override `presets` there (e.g. upsampling at its own temperature). */
  taskPresets: z.partialRecord(z.enum(['upsample', 'inpaint', 'separate']), PresetsSchema).optional(),
  /** Optional measured warm-start sigmas per task. */
  warmStart: z.partialRecord(z.enum(['upsample', 'inpaint', 'separate']), finite.positive()).optional(),
  /** Optional measured Langevin temperature per task (0 = deterministic best estimate; default 1). */
  temperature: z.partialRecord(z.enum(['upsample', 'inpaint', 'separate']), finite.nonnegative()).optional(),
  /** Optional measured step-size scale per task (eta = etaScale * sigma^2), overriding `schedule.etaScale` there
   *  (a preset's own `etaScale` overrides both). */
  taskEtaScale: z.partialRecord(z.enum(['upsample', 'inpaint', 'separate']), finite.positive()).optional(),
  /** Optional measured level weighting per task: each step weighted by the warm start's local level to this
   *  power (engine/level-weights.ts); absent = a fixed step. */
  levelPower: z.partialRecord(z.enum(['upsample']), finite.positive()).optional(),
  /** Optional measured fold band per task: each step band-passed around the decimation's fold
   *  (engine/fold-band.ts; paper-style upsampling at temperature 0 only); absent = unfiltered steps. */
  foldBand: z.partialRecord(z.enum(['upsample']), z.boolean()).optional(),
  /** Optional measured start for upsampling from the spline's own error: the ascent starts at
   *  min(warmStart.upsample, r x splineSelfError(low-rate input)), r given here; a start below the schedule's
   *  sigmaMin runs no ascent (the spline is returned, with a note). Absent = warmStart.upsample at every factor. */
  splineErrorStart: z.partialRecord(z.enum(['upsample']), finite.positive()).optional(),
  /** Optional measured factors per task where the ascent improves on its plain baseline: upsampling by pure
   *  decimation at any other factor returns the cubic spline unchanged, with a note. Absent = every factor. */
  ascentFactors: z.partialRecord(z.enum(['upsample']), z.array(z.number().int().min(2)).min(1)).optional(),
  model: z.record(z.string(), z.unknown()).optional(),
  data: z.unknown().optional(),
  validation: z.unknown().optional(),
  training: z.unknown().optional(),
});
export type ModelCard = z.infer<typeof CardSchema>;

export const ParitySchema = z.object({
  sigma: z.array(finite).min(1),
  x: z.array(z.array(finite).min(1)).min(1),
  logp: z.array(z.array(finite)).min(1),
  grad: z.array(z.array(finite)).min(1),
});
export type ParityFixture = z.infer<typeof ParitySchema>;

function invalid(cardPath: string, msg: string): CodedError {
  return new CodedError('MODEL_INVALID', `Model ${basename(cardPath)}: ${msg}`);
}

/** Read and validate a card (no ONNX loading). */
export async function readCard(cardPath: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(cardPath, 'utf8');
  } catch (e) {
    throw invalid(cardPath, `cannot read the card (${(e as Error).message}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(cardPath, `the card is not valid JSON (${(e as Error).message}).`);
  }
  const r = CardSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 4).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(cardPath, `the card is not a pnf-score-graph/1 card (${issues.join('; ')}).`);
  }
  const c = r.data;
  for (let i = 1; i < c.bins.length; i++) {
    if (!(c.bins[i]! > c.bins[i - 1]!)) throw invalid(cardPath, 'card bins must be strictly increasing.');
  }
  if (c.sigma.min > c.sigma.max) throw invalid(cardPath, 'card sigma.min is larger than sigma.max.');
  if (c.schedule.sigmaMin > c.schedule.sigmaMax) throw invalid(cardPath, 'card schedule.sigmaMin > sigmaMax.');
  if (c.mu !== undefined && c.bins.length !== c.mu + 1) {
    throw invalid(cardPath, `card has ${c.bins.length} bins but mu = ${c.mu} implies ${c.mu + 1}.`);
  }
  return c;
}

export async function readParity(path: string, cardPath = path): Promise<ParityFixture> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw invalid(cardPath, `cannot read the parity fixture ${basename(path)} (${(e as Error).message}).`);
  }
  const r = ParitySchema.safeParse(json);
  if (!r.success) throw invalid(cardPath, `parity fixture ${basename(path)} is malformed.`);
  const p = r.data;
  const B = p.sigma.length;
  if (p.x.length !== B || p.logp.length !== B || p.grad.length !== B) {
    throw invalid(cardPath, `parity fixture ${basename(path)}: batch sizes disagree.`);
  }
  const T = p.x[0]!.length;
  for (const a of [...p.x, ...p.logp, ...p.grad]) {
    if (a.length !== T) throw invalid(cardPath, `parity fixture ${basename(path)}: window lengths disagree.`);
  }
  return p;
}

export interface LoadOptions {
  device?: string;
  threads?: number;
  /** Check the parity fixture at load time (default true when the card names one). */
  verifyParity?: boolean;
  /** Relative tolerance for the load-time parity check (default 1e-3: allows GPU arithmetic). */
  parityTolerance?: number;
}

export class OnnxPrior implements ScorePrior {
  readonly name: string;
  readonly source: string;
  readonly sampleRate: number;
  readonly receptiveField: number;
  readonly sigmaRange: { min: number; max: number };
  readonly schedule: Schedule;
  readonly device: string;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly card: ModelCard,
    readonly cardPath: string,
    readonly choice: DeviceChoice,
    private readonly session: ort.InferenceSession,
  ) {
    this.name = card.name;
    this.source = card.source;
    this.sampleRate = card.sampleRate;
    this.receptiveField = card.receptiveField;
    this.sigmaRange = { ...card.sigma };
    this.schedule = { ...card.schedule };
    this.device = choice.device;
  }

  async score(x: Float32Array, batch: number, length: number, sigma: Float32Array): Promise<ScoreOutput> {
    if (this.disposed) throw new CodedError('ENGINE_FAILED', `Model ${this.name} was already closed.`);
    if (x.length !== batch * length || sigma.length !== batch) {
      throw new CodedError('INTERNAL', `score(): shape mismatch (x ${x.length}, B ${batch}, T ${length}, sigma ${sigma.length}).`);
    }
    // ORT sessions are not re-entrant-safe for our purposes: serialise runs.
    const run = this.queue.then(async () => {
      const feeds = {
        x: new ort.Tensor('float32', x, [batch, length]),
        sigma: new ort.Tensor('float32', sigma, [batch]),
      };
      let out: ort.InferenceSession.OnnxValueMapType;
      try {
        out = await this.session.run(feeds);
      } catch (e) {
        throw new CodedError('ENGINE_FAILED', `Model ${this.name} failed to run on ${this.device}: ${(e as Error).message}`);
      }
      const logp = out['logp'];
      const grad = out['grad'];
      if (!logp || !grad) throw invalid(this.cardPath, 'the ONNX graph did not return logp and grad.');
      const ld = logp.data as Float32Array;
      const gd = grad.data as Float32Array;
      if (ld.length !== batch * length || gd.length !== batch * length) {
        throw invalid(this.cardPath, `outputs have ${ld.length} / ${gd.length} values, expected ${batch * length}.`);
      }
      return { logp: ld, grad: gd };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue;
    await this.session.release();
  }
}

/** Max |a-b| / max |b| over all values (scale-aware relative error). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den > 0 ? num / den : num;
}

export interface ParityReport {
  /** max over rows b of max_t |got - expected| / max(1, max_t |expected|)  (the fixture's stated rule). */
  logpError: number;
  gradError: number;
  batch: number;
  length: number;
}

function rowError(got: Float32Array, exp: number[][], T: number): number {
  let worst = 0;
  exp.forEach((row, b) => {
    let num = 0;
    let den = 1;
    for (let t = 0; t < T; t++) {
      num = Math.max(num, Math.abs(got[b * T + t]! - row[t]!));
      den = Math.max(den, Math.abs(row[t]!));
    }
    worst = Math.max(worst, num / den);
  });
  return worst;
}

/** Evaluate the prior on a parity fixture; errors per the fixture's rule (per row, relative to max(1, row max)). */
export async function checkParity(prior: ScorePrior, fx: ParityFixture): Promise<ParityReport> {
  const B = fx.sigma.length;
  const T = fx.x[0]!.length;
  const x = new Float32Array(B * T);
  fx.x.forEach((row, b) => x.set(row, b * T));
  const out = await prior.score(x, B, T, Float32Array.from(fx.sigma));
  return { logpError: rowError(out.logp, fx.logp, T), gradError: rowError(out.grad, fx.grad, T), batch: B, length: T };
}

/** Load a model card and its ONNX graph; validates both. Throws MODEL_INVALID / DEVICE_UNAVAILABLE. */
export async function loadPrior(cardPath: string, opts: LoadOptions = {}): Promise<OnnxPrior> {
  cardPath = resolve(cardPath);
  const card = await readCard(cardPath);
  const choice = chooseDevice(opts.device, { threads: opts.threads });
  const onnxPath = resolve(dirname(cardPath), card.onnx);
  let bytes: Buffer;
  try {
    const st = await stat(onnxPath);
    if (st.size === 0) throw new Error('the file is empty');
    bytes = await readFile(onnxPath);
  } catch (e) {
    throw invalid(cardPath, `cannot read the ONNX graph ${card.onnx} (${(e as Error).message}).`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(choice));
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw invalid(cardPath, `ONNX Runtime could not load ${card.onnx} on ${choice.device} (${msg}). The file may be corrupt or truncated.`);
  }
  const ins = [...session.inputNames].sort().join(',');
  const outs = session.outputNames;
  if (ins !== 'sigma,x' || !outs.includes('logp') || !outs.includes('grad')) {
    await session.release();
    throw invalid(
      cardPath,
      `${card.onnx} is not a score graph: inputs [${session.inputNames.join(', ')}], outputs [${outs.join(', ')}]; ` +
        'expected inputs x, sigma and outputs logp, grad.',
    );
  }
  const prior = new OnnxPrior(card, cardPath, choice, session);
  const verify = opts.verifyParity ?? true;
  if (verify && card.parity) {
    const fx = await readParity(resolve(dirname(cardPath), card.parity), cardPath);
    let rep: ParityReport;
    try {
      rep = await checkParity(prior, fx);
    } catch (e) {
      await prior.dispose();
      throw e instanceof CodedError && e.code === 'MODEL_INVALID'
        ? e
        : invalid(cardPath, `the graph failed on its own parity fixture (${(e as Error).message}).`);
    }
    const tol = opts.parityTolerance ?? 1e-3;
    if (!(rep.logpError <= tol && rep.gradError <= tol)) {
      await prior.dispose();
      throw invalid(
        cardPath,
        `the graph does not reproduce its parity fixture (relative error logp ${rep.logpError.toExponential(2)}, ` +
          `grad ${rep.gradError.toExponential(2)}, tolerance ${tol}). The ONNX file and card do not match.`,
      );
    }
  }
  return prior;
}

export interface CardInfo {
  path: string;
  card: ModelCard | null;
  error: string | null;
}

/** Default model folder: resources/models relative to the repo / app root. */
export function defaultModelDir(): string {
  const env = process.env['PNF_MODEL_DIR'];
  if (env) return resolve(env);
  const here = dirname(fileURLToPath(import.meta.url));
  // src-main/engine -> repo root; bundled out/main -> app root; cwd last
  for (const up of ['../..', '../../..', '..']) {
    const d = resolve(here, up, 'resources', 'models');
    if (existsSync(d)) return d;
  }
  return resolve('resources/models');
}

/** All *.json cards in a folder (parity fixtures excluded), validated. */
export async function listCards(dir: string): Promise<CardInfo[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: CardInfo[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.json') || n.endsWith('.parity.json')) continue;
    const path = join(dir, n);
    try {
      out.push({ path, card: await readCard(path), error: null });
    } catch (e) {
      out.push({ path, card: null, error: (e as Error).message });
    }
  }
  return out;
}

/** Find the card for a source in a folder: `<source>.json` first, else any card with that source. */
export async function findCard(dir: string, source: string): Promise<string> {
  const cards = await listCards(dir);
  const exact = cards.find((c) => basename(c.path) === `${source}.json` && c.card);
  const any = exact ?? cards.find((c) => c.card?.source === source);
  if (!any) {
    const have = cards.filter((c) => c.card).map((c) => `${basename(c.path)} (${c.card!.source})`);
    throw new CodedError(
      'MODEL_INVALID',
      `No ${source} model in ${dir}. ${have.length ? `Found: ${have.join(', ')}.` : 'The folder has no model cards.'}`,
    );
  }
  if (!any.card) throw new CodedError('MODEL_INVALID', any.error ?? 'invalid card');
  return any.path;
}
