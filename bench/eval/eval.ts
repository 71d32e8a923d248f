// Quality evaluation: paper-style tables for separation, super-resolution, inpainting and
// unconditional generation, PnF (the engine's runJob) against plain baselines, plus quality vs
// steps curves. Writes bench/eval/results/<quick|full>/{results.md, results.json, *.png}.
//
//   npm run eval                     # full (all piano x voice pairs, all clips; slow on a CPU)
//   npm run eval -- --quick          # tiny subset (CI)
//   options: --model-dir DIR   --model CARD (one card for every source, e.g. the tiny fixture)
//            --preset draft|standard|best   --levels L --steps S (override the preset)
//            --seed N  --threads N  --out DIR  --eval-dir DIR (default /work/shared/eval or $PNF_EVAL_DIR)
//            --sep-seconds S  --sr-seconds S  --sr-clips N  --inp-clips N  --pairs N  --val-pairs N  --gen-seconds S
//            --ancestral-seconds S (force ancestral sampling with a large prior; very slow)
//            --budget-min M (wall-clock budget: PnF runs past a section's share are skipped and reported)
//            --gen-settings 1x1,2x5,...  --curve-settings 1x1,4x5,8x20  --no-pictures  --note TEXT (repeatable)
//            --rerender DIR (rewrite DIR/results.md from DIR/results.json, adding any --note)
//
// Every PnF row is runJob() of the engine, exactly what the app runs, with a fixed seed.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudioFile } from '../../src-main/io/decode';
import { resample } from '../../src-main/io/resample';
import { ModelSet, runJob, planSchedule } from '../../src-main/engine/tasks';
import { findCard, type ScorePrior } from '../../src-main/engine/prior';
import { meanLogp, sample } from '../../src-main/engine/sampler';
import { sumOperator } from '../../src-main/engine/operators';
import { splineUpsample, lpcFill } from '../../src-main/engine/baselines';
import { snr, siSdr, lsd } from '../../src-shared/audio/metrics';
import { wholeTrack, type JobRequest, type PresetName } from '../../src-shared/engine/jobs';
import { linearUpsample, sincUpsample, oracleIrm, linearFill, janssenFill } from './baselines';
import { writeStackedSpectrogram, type Panel } from './picture';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
export const TINY_CARD = join(ROOT, 'test/fixtures/models/tiny.json');

// ------------------------------------------------------------------ configuration

export type Setting = [levels: number, steps: number];

export interface EvalConfig {
  /** Free text for the results header's machine line (e.g. what else ran at the time). */
  machineNote?: string;
  mode: 'quick' | 'full';
  outDir: string;
  evalDir: string;
  modelDir: string;
  /** One card for every source (e.g. the tiny test model). */
  model?: string;
  preset: PresetName;
  levels?: number;
  steps?: number;
  seed: number;
  threads?: number;
  /** Separation: excerpt seconds, max number of piano x voice pairs. */
  sepSeconds: number;
  maxPairs: number;
  /** Extra separation mixtures from the held-out VALIDATION split of the training data (synthetic
   *  renderers never trained on), read from valDir/<source>_val.{npy,json} when present. */
  valPairs: number;
  valDir: string;
  /** Super-resolution: excerpt seconds, clips per source, ratios. */
  srSeconds: number;
  srClips: number;
  ratios: number[];
  /** Inpainting: gaps (ms), clips per source. */
  gapsMs: number[];
  inpClips: number;
  /** Unconditional generation: seconds, settings (levels x steps). */
  genSeconds: number;
  genSettings: Setting[];
  /** Ancestral sampling runs when bins x (RF + 1) x samples is at most this (score evaluations). */
  ancestralMaxEvals: number;
  ancestralSeconds?: number;
  /** Quality vs steps: settings and excerpt seconds. */
  curveSettings: Setting[];
  curveSeconds: number;
  /** Extra lines for the results' notes (e.g. which priors these are). */
  notes?: string[];
  /** Skip the spectrogram pictures (tests that only check tables). */
  pictures: boolean;
  /** Wall-clock budget in minutes for the whole run (PnF runs past a section's share are skipped and
   *  marked in the tables; the baselines always run). Infinity = no budget. */
  budgetMin: number;
  log: (s: string) => void;
}

/** Where the real eval recordings live (PNF_EVAL_DIR overrides). */
export const DEFAULT_EVAL_DIR = process.env['PNF_EVAL_DIR'] ?? (existsSync('/work/shared/eval') ? '/work/shared/eval' : join(ROOT, 'shared/eval'));

export function defaultConfig(mode: 'quick' | 'full'): EvalConfig {
  const base = {
    outDir: join(HERE, 'results', mode),
    evalDir: DEFAULT_EVAL_DIR,
    modelDir: join(ROOT, 'resources/models'),
    seed: 1,
    ratios: [4, 8, 16],
    gapsMs: [50, 100, 250, 500],
    ancestralMaxEvals: 2e7,
    valDir: join(ROOT, 'training/.data'),
    pictures: true,
    budgetMin: Infinity,
    log: (s: string) => console.log(s),
  };
  if (mode === 'quick') {
    return {
      ...base,
      mode,
      preset: 'draft',
      levels: 2,
      steps: 2,
      sepSeconds: 1,
      maxPairs: 1,
      valPairs: 0,
      srSeconds: 0.5,
      srClips: 1,
      inpClips: 1,
      genSeconds: 0.02,
      genSettings: [[1, 1], [2, 2]],
      curveSettings: [[1, 1], [2, 2]],
      curveSeconds: 0.5,
    };
  }
  return {
    ...base,
    mode,
    // Sized for a 2-core CPU (see the report): every pair, short excerpts, the draft preset.
    preset: 'draft',
    sepSeconds: 0.5,
    maxPairs: Infinity,
    valPairs: 4,
    srSeconds: 0.5,
    srClips: 2,
    inpClips: 2,
    genSeconds: 0.125,
    genSettings: [[1, 1], [2, 5], [4, 5], [8, 20]],
    curveSettings: [[1, 1], [2, 5], [4, 5], [8, 20]],
    curveSeconds: 0.5,
  };
}

// ------------------------------------------------------------------ result types

export interface SepRow { method: string; all: number; piano: number; voice: number; n: number; wallS: number | null; note?: string }
export interface SepPair { piano: string; voice: string; start: number; seconds: number; method: string; piano_siSdr: number; voice_siSdr: number }
export interface SrRow { source: string; ratio: number; input: 'decimate' | 'lowpass'; method: string; snr: number; lsd: number; n: number; wallS: number | null }
export interface InpRow { source: string; gapMs: number; method: string; snr: number; n: number; wallS: number | null }
export interface GenRow { source: string; method: string; levels: number | null; steps: number | null; totalSteps: number | null; bitsPerSample: number | null; rms: number | null; seconds: number; wallS: number | null; note?: string }
export interface CurveRow { task: string; levels: number; steps: number; totalSteps: number; metric: string; value: number; wallS: number; preset: string | null }

export interface EvalResults {
  meta: Record<string, unknown>;
  separation: { table: SepRow[]; pairs: SepPair[]; validation: SepRow[]; validationPairs: SepPair[]; paper: Array<{ method: string; all: number; piano: number; voice: number }> };
  superres: { table: SrRow[]; paper: Array<{ ratio: number; source: string; spline: number; kee: number; pnf: number }> };
  inpainting: { table: InpRow[] };
  unconditional: { table: GenRow[] };
  curves: { table: CurveRow[] };
  pictures: string[];
}

export const PAPER_SEPARATION = [
  { method: 'PnF (WaveNet), paper', all: 17.07, piano: 13.92, voice: 20.25 },
  { method: 'Conv-TasNet, paper', all: 17.48, piano: 20.02, voice: 15.5 },
  { method: 'Demucs, paper', all: 14.18, piano: 16.67, voice: 12.75 },
];
export const PAPER_SUPERRES = [
  { ratio: 4, source: 'piano', spline: 23.07, kee: 22.25, pnf: 29.78 },
  { ratio: 8, source: 'piano', spline: 13.58, kee: 15.79, pnf: 23.49 },
  { ratio: 16, source: 'piano', spline: 7.09, kee: 6.76, pnf: 14.23 },
  { ratio: 4, source: 'voice', spline: 15.8, kee: 16.04, pnf: 15.47 },
  { ratio: 8, source: 'voice', spline: 10.7, kee: 11.15, pnf: 10.03 },
  { ratio: 16, source: 'voice', spline: 6.4, kee: 7.11, pnf: 5.32 },
];

// ------------------------------------------------------------------ helpers

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** All P x V pairs, ordered so that consecutive pairs change both clips: i -> (i mod P, (i + floor(i / lcm)) mod V). */
export function pairOrder<A, B>(ps: A[], vs: B[]): Array<[A, B]> {
  const P = ps.length, V = vs.length;
  if (!P || !V) return [];
  const lcm = (P * V) / gcd(P, V);
  const out: Array<[A, B]> = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < P * V && i < 4 * P * V; i++) {
    const a = i % P;
    const b = (i + Math.floor(i / lcm)) % V;
    if (seen.has(`${a},${b}`)) continue;
    seen.add(`${a},${b}`);
    out.push([ps[a]!, vs[b]!]);
  }
  return out;
}
export const mean = (a: number[]): number => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);

export interface Clip {
  name: string;
  source: 'piano' | 'voice';
  x: Float32Array; // mono at the model rate
}

/** Clips of the training data's validation split (float32 .npy + .json offsets), first `count`. */
function loadValClips(dir: string, source: 'piano' | 'voice', count: number, rate: number): Clip[] {
  const npy = join(dir, `${source}_val.npy`);
  const meta = join(dir, `${source}_val.json`);
  if (count <= 0 || !existsSync(npy) || !existsSync(meta)) return [];
  const info = JSON.parse(readFileSync(meta, 'utf8')) as { sampleRate?: number; clips: Array<{ offset: number; length: number; sf2?: string; voice?: string; renderer?: string }> };
  if (info.sampleRate !== undefined && info.sampleRate !== rate) return [];
  const buf = readFileSync(npy);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') return [];
  const major = buf[6]; // magic (6 bytes), version major / minor, then the header length
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hoff = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hoff, hoff + hlen);
  if (!header.includes("'<f4'")) return [];
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + hoff + hlen, buf.byteOffset + buf.length));
  return info.clips.slice(0, count).map((c, i) => ({
    name: `val:${source}#${i}${c.sf2 ? ` (${c.sf2})` : c.voice ? ` (${c.voice})` : c.renderer ? ` (${c.renderer})` : ''}`,
    source,
    x: data.slice(c.offset, c.offset + c.length),
  }));
}

/** Every eval recording of a source (`dir/<source>/*`), mono (channel mean), at `rate`. */
export async function loadClips(dir: string, source: 'piano' | 'voice', rate: number): Promise<Clip[]> {
  const d = join(dir, source);
  if (!existsSync(d)) return [];
  const names = readdirSync(d).filter((n) => /\.(wav|flac|mp3|ogg)$/i.test(n)).sort();
  const out: Clip[] = [];
  for (const n of names) {
    const a = await decodeAudioFile(join(d, n));
    const mono = new Float32Array(a.channels[0]!.length);
    for (const ch of a.channels) for (let i = 0; i < mono.length; i++) mono[i]! += ch[i]! / a.channels.length;
    const x = a.sampleRate === rate ? mono : (await resample([mono], a.sampleRate, rate))[0]!;
    out.push({ name: n, source, x });
  }
  return out;
}

function prefixEnergy(x: Float32Array): Float64Array {
  const p = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) p[i + 1] = p[i]! + x[i]! * x[i]!;
  return p;
}

/** Start of the `len`-sample window with the most energy (stride 10 ms at 16 kHz); 0 if x is shorter. */
export function loudestStart(x: Float32Array, len: number, stride = 160): number {
  if (x.length <= len) return 0;
  const p = prefixEnergy(x);
  let best = 0;
  let bestE = -1;
  for (let s = 0; s + len <= x.length; s += stride) {
    const e = p[s + len]! - p[s]!;
    if (e > bestE) {
      bestE = e;
      best = s;
    }
  }
  return best;
}

/** Window of length len where BOTH a and b are active: maximise min(E_a / mean E_a, E_b / mean E_b). */
export function jointStart(a: Float32Array, b: Float32Array, len: number, stride = 160): number {
  const n = Math.min(a.length, b.length);
  if (n <= len) return 0;
  const pa = prefixEnergy(a.subarray(0, n));
  const pb = prefixEnergy(b.subarray(0, n));
  const ma = pa[n]! / n + 1e-20;
  const mb = pb[n]! / n + 1e-20;
  let best = 0;
  let bestV = -1;
  for (let s = 0; s + len <= n; s += stride) {
    const v = Math.min((pa[s + len]! - pa[s]!) / ma, (pb[s + len]! - pb[s]!) / mb);
    if (v > bestV) {
      bestV = v;
      best = s;
    }
  }
  return best;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}
function peak(x: Float32Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}
const scaled = (x: Float32Array, g: number): Float32Array => x.map((v) => v * g);

/** Normalise an excerpt to peak 0.9 (super-resolution, inpainting). */
export function normPeak(x: Float32Array): Float32Array {
  const p = peak(x);
  return p > 0 ? scaled(x, 0.9 / p) : x.slice();
}

/**
 * Mixture as eval/README.md says: trimmed to the shorter, each normalised (to equal RMS), the
 * mixture scaled to peak 0.9; the sources get the same scale (they are the references).
 */
export function makeMixture(p: Float32Array, v: Float32Array): { p: Float32Array; v: Float32Array; mix: Float32Array } {
  const n = Math.min(p.length, v.length);
  const pn = scaled(p.subarray(0, n), 1 / (rms(p.subarray(0, n)) || 1));
  const vn = scaled(v.subarray(0, n), 1 / (rms(v.subarray(0, n)) || 1));
  const mix = pn.map((u, i) => u + vn[i]!);
  const g = 0.9 / (peak(mix) || 1);
  return { p: scaled(pn, g), v: scaled(vn, g), mix: scaled(mix, g) };
}

const fmt = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(d) : String(v));

function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execSync('git rev-parse HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src-main src-shared bench/eval resources', { cwd: ROOT, encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

function describePrior(p: ScorePrior, card: string): Record<string, unknown> {
  const c = p.card as Record<string, unknown> | undefined;
  const tr = (c?.['training'] ?? {}) as Record<string, unknown>;
  const val = (c?.['validation'] ?? null) as Record<string, unknown> | null;
  return {
    card: card.startsWith(ROOT) ? card.slice(ROOT.length + 1) : card,
    name: p.name,
    receptiveField: p.receptiveField,
    sampleRate: p.sampleRate,
    schedule: p.schedule,
    samplesSeen: tr['samplesSeen'] ?? null,
    exportedAt: tr['exportedAt'] ?? null,
    validationBitsPerSample: val?.['bitsPerSample'] ?? null,
  };
}

// ------------------------------------------------------------------ the evaluation

export async function runEval(cfg: EvalConfig): Promise<EvalResults> {
  const t0 = performance.now();
  const log = cfg.log;
  mkdirSync(cfg.outDir, { recursive: true });
  const notes: string[] = [...(cfg.notes ?? [])];

  // priors: the shipped ones, else (with a clear message) the tiny test model for everything
  let model = cfg.model;
  if (!model) {
    const missing: string[] = [];
    for (const s of ['piano', 'voice']) {
      try {
        await findCard(cfg.modelDir, s);
      } catch {
        missing.push(s);
      }
    }
    if (missing.length) {
      const msg = `NO ${missing.join(' / ')} PRIOR in ${cfg.modelDir}: falling back to the tiny TEST model (random weights) for every source. The PnF numbers below are then meaningless; only the baselines are real. Export priors with training/export.py and rerun.`;
      log(`WARNING: ${msg}`);
      notes.push(msg);
      model = TINY_CARD;
    }
  }
  const models = new ModelSet({ modelDir: cfg.modelDir, model, threads: cfg.threads, verifyParity: false });
  const piano = await models.get('piano');
  const voice = await models.get('voice');
  const M = piano.sampleRate;
  const priorsMeta = {
    piano: describePrior(piano, model ?? (await findCard(cfg.modelDir, 'piano'))),
    voice: describePrior(voice, model ?? (await findCard(cfg.modelDir, 'voice'))),
  };
  const common = { preset: cfg.preset, seed: cfg.seed, ...(cfg.levels ? { levels: cfg.levels } : {}), ...(cfg.steps ? { steps: cfg.steps } : {}), ...(cfg.threads ? { threads: cfg.threads } : {}) };
  const plan = planSchedule(piano, { kind: 'generate', seconds: 1, ...common }, null);
  const presetText = `${cfg.preset}${cfg.levels || cfg.steps ? ' (overridden)' : ''}: ${plan.schedule.levels} levels x ${plan.schedule.stepsPerLevel} steps, sigma ${plan.schedule.sigmaMax} -> ${plan.schedule.sigmaMin} (warm starts from the card's warm-start sigma), seed ${cfg.seed}`;
  log(`priors: piano ${piano.name}, voice ${voice.name}; ${presetText}`);
  const env = { priors: models };
  const git = gitInfo();
  const pianoClips = await loadClips(cfg.evalDir, 'piano', M);
  const voiceClips = await loadClips(cfg.evalDir, 'voice', M);
  if (!pianoClips.length || !voiceClips.length) throw new Error(`No evaluation clips in ${cfg.evalDir}/piano and ${cfg.evalDir}/voice.`);
  const pictures: string[] = [];
  const picture = (file: string, panels: Panel[], title: string) => {
    if (!cfg.pictures) return;
    const path = join(cfg.outDir, file);
    writeStackedSpectrogram(path, panels, { title });
    pictures.push(file);
  };
  const sectionWall: Record<string, number> = {};
  // time budget: each section gets its share of what is left when it starts
  const shares: Record<string, number> = { separation: 0.36, superres: 0.09, inpainting: 0.06, unconditional: 0.04, curves: 0.45 }; // as measured
  const tEnd = t0 + cfg.budgetMin * 60_000;
  let sectionEnd = Infinity;
  const skipped: Record<string, number> = {};
  const failures: string[] = [];
  let currentSection = '';
  const startSection = (name: string) => {
    currentSection = name;
    const order = Object.keys(shares);
    const rest = order.slice(order.indexOf(name)).reduce((a, k) => a + shares[k]!, 0);
    sectionEnd = Number.isFinite(tEnd) ? performance.now() + ((tEnd - performance.now()) * shares[name]!) / rest : Infinity;
    return performance.now();
  };
  /** runJob, or null when the section's time share is spent (counted, reported). */
  const job = async (req: JobRequest) => {
    if (performance.now() > sectionEnd) {
      skipped[currentSection] = (skipped[currentSection] ?? 0) + 1;
      return null;
    }
    try {
      return await runJob(req, env);
    } catch (e) {
      const msg = `${currentSection}: ${req.kind} failed: ${(e as Error)?.message ?? String(e)}`;
      log(`ERROR ${msg}`);
      failures.push(msg);
      return null;
    }
  };

  // ---------------------------------------------------------------- separation
  let ts = startSection('separation');
  const sepLen = Math.round(cfg.sepSeconds * M);
  const pairs: SepPair[] = [];
  const pnfWall: number[] = [];
  let pairCount = 0;
  let firstSep: { mix: Float32Array; p: Float32Array; v: Float32Array; ep: Float32Array; ev: Float32Array; title: string } | null = null;
  // pairs in an order that varies both clips (i -> piano i mod P, voice i mod V: all P x V pairs when
  // P and V are coprime, as 4 and 5 are), so a partial run still covers every clip
  const valP = loadValClips(cfg.valDir, 'piano', cfg.valPairs, M);
  const valV = loadValClips(cfg.valDir, 'voice', cfg.valPairs, M);
  if (cfg.valPairs > 0 && (!valP.length || !valV.length)) {
    const msg = `No validation split of the training data in ${relative(ROOT, cfg.valDir) || cfg.valDir} (generated data is not committed; \`/usr/bin/python3 training/data/make_data.py --seed 1 --piano-minutes 60 --voice-minutes 60\` recreates it): the validation mixtures are left out.`;
    log(msg);
    notes.push(msg);
  }
  const valPairs: SepPair[] = [];
  const valWall: number[] = [];
  const order: Array<[Clip, Clip, boolean]> = pairOrder(pianoClips, voiceClips).slice(0, cfg.maxPairs).map(([a, b]) => [a, b, false] as [Clip, Clip, boolean]);
  // validation pairs interleaved (every 5th run), so a time-limited run still has some
  for (let i = 0; i < Math.min(valP.length, valV.length); i++) order.splice(Math.min(order.length, 2 + 5 * i), 0, [valP[i]!, valV[i]!, true]);
  {
    for (const [pc, vc, isVal] of order) {
      const pairs_ = isVal ? valPairs : pairs;
      if (!isVal) pairCount++;
      const s = jointStart(pc.x, vc.x, sepLen);
      const n = Math.min(sepLen, pc.x.length, vc.x.length);
      const { p, v, mix } = makeMixture(pc.x.subarray(s, s + n), vc.x.subarray(s, s + n));
      const add = (method: string, ep: Float32Array, ev: Float32Array) =>
        pairs_.push({ piano: pc.name, voice: vc.name, start: s / M, seconds: n / M, method, piano_siSdr: siSdr(p, ep), voice_siSdr: siSdr(v, ev) });
      add('mixture (est = mixture)', mix, mix);
      const [ip, iv] = oracleIrm(p, v);
      add('oracle IRM (upper bound)', ip, iv);
      const r = await job({ kind: 'separate', audio: { sampleRate: M, channels: [mix] }, ...common });
      if (!r) continue;
      (isVal ? valWall : pnfWall).push(r.seconds);
      const ep = r.tracks['piano']![0]!;
      const ev = r.tracks['voice']![0]!;
      add('PnF (this engine)', ep, ev);
      const last = pairs_[pairs_.length - 1]!;
      log(`separate ${pc.name} + ${vc.name}: PnF piano ${fmt(last.piano_siSdr)} voice ${fmt(last.voice_siSdr)} dB (mixture ${fmt(pairs_[pairs_.length - 3]!.piano_siSdr)} / ${fmt(pairs_[pairs_.length - 3]!.voice_siSdr)}, IRM ${fmt(pairs_[pairs_.length - 2]!.piano_siSdr)} / ${fmt(pairs_[pairs_.length - 2]!.voice_siSdr)}) in ${r.seconds.toFixed(1)} s`);
      if (!isVal) firstSep ??= { mix, p, v, ep, ev, title: `SEPARATION: ${pc.name} + ${vc.name}` };
    }
  }
  const sepRows = (pairs: SepPair[], pnfWall: number[]): SepRow[] => ['PnF (this engine)', 'mixture (est = mixture)', 'oracle IRM (upper bound)'].map((method) => {
    const rows = pairs.filter((q) => q.method === method);
    const pi = mean(rows.map((q) => q.piano_siSdr));
    const vo = mean(rows.map((q) => q.voice_siSdr));
    const row: SepRow = { method, all: (pi + vo) / 2, piano: pi, voice: vo, n: rows.length, wallS: method.startsWith('PnF') ? pnfWall.reduce((a, b) => a + b, 0) : null };
    if (method.startsWith('PnF')) {
      const base = pairs.filter((q) => q.method.startsWith('mixture') && pairs.some((z) => z.method.startsWith('PnF') && z.piano === q.piano && z.voice === q.voice));
      row.note = `over the ${rows.length} mixture(s) PnF ran on; mixture baseline on the same: ${fmt(mean(base.map((q) => (q.piano_siSdr + q.voice_siSdr) / 2)))} dB`;
    }
    return row;
  });
  const sepTable = sepRows(pairs, pnfWall);
  const valTable = valPairs.length ? sepRows(valPairs, valWall) : [];
  if (firstSep) {
    picture('separation.png', [
      { label: 'INPUT: MIXTURE', samples: firstSep.mix, sampleRate: M },
      { label: 'OUTPUT: PNF PIANO', samples: firstSep.ep, sampleRate: M },
      { label: 'TRUTH: PIANO', samples: firstSep.p, sampleRate: M },
      { label: 'OUTPUT: PNF VOICE', samples: firstSep.ev, sampleRate: M },
      { label: 'TRUTH: VOICE', samples: firstSep.v, sampleRate: M },
    ], firstSep.title);
  }
  sectionWall['separation'] = (performance.now() - ts) / 1000;

  // ---------------------------------------------------------------- super-resolution
  ts = startSection('superres');
  const srRaw: Array<Omit<SrRow, 'n'>> = [];
  let srPic: Panel[] | null = null;
  let srTitle = '';
  for (const clips of [pianoClips, voiceClips]) {
    for (const clip of clips.slice(0, cfg.srClips)) {
      const len0 = Math.round(cfg.srSeconds * M);
      const s = loudestStart(clip.x, len0);
      for (const k of cfg.ratios) {
        const n = Math.floor(Math.min(len0, clip.x.length - s) / k) * k;
        const x = normPeak(clip.x.subarray(s, s + n));
        for (const input of ['decimate', 'lowpass'] as const) {
          const low = M / k;
          const y = input === 'decimate' ? Float32Array.from({ length: n / k }, (_, j) => x[j * k]!) : (await resample([x], M, low))[0]!;
          const add = (method: string, est: Float32Array, wallS: number | null) =>
            srRaw.push({ source: clip.source, ratio: k, input, method, snr: snr(x, est.subarray(0, n)), lsd: lsd(x, est.subarray(0, n), M, { fftSize: 1024 }), wallS });
          add('linear', linearUpsample(y, k, n), null);
          add('cubic spline', splineUpsample(y, k, n), null);
          const sinc = sincUpsample(y, k, n);
          add('band-limited sinc', sinc, null);
          const r = await job({ kind: 'upsample', audio: { sampleRate: low, channels: [y] }, factor: k, lowpass: input === 'lowpass', source: clip.source, ...common });
          if (!r) continue;
          const out = r.tracks['audio']![0]!;
          add('PnF (this engine)', out, r.seconds);
          const last = srRaw[srRaw.length - 1]!;
          log(`upsample ${clip.name} x${k} ${input}: PnF ${fmt(last.snr)} dB (spline ${fmt(srRaw[srRaw.length - 3]!.snr)}, sinc ${fmt(srRaw[srRaw.length - 2]!.snr)}) in ${r.seconds.toFixed(1)} s`);
          if (!srPic && k === 4 && input === 'decimate') {
            srTitle = `SUPER-RESOLUTION X4 (DECIMATION): ${clip.name}`;
            srPic = [
              { label: `INPUT: ${low} HZ (SHOWN SINC-INTERPOLATED)`, samples: sinc.subarray(0, n), sampleRate: M },
              { label: 'OUTPUT: PNF', samples: out.subarray(0, n), sampleRate: M },
              { label: 'TRUTH', samples: x, sampleRate: M },
            ];
          }
        }
      }
    }
  }
  if (srPic) picture('superres.png', srPic, srTitle);
  const srTable: SrRow[] = [];
  for (const source of ['piano', 'voice']) {
    for (const input of ['decimate', 'lowpass'] as const) {
      for (const k of cfg.ratios) {
        for (const method of ['linear', 'cubic spline', 'band-limited sinc', 'PnF (this engine)']) {
          const rows = srRaw.filter((q) => q.source === source && q.input === input && q.ratio === k && q.method === method);
          if (!rows.length) continue;
          srTable.push({
            source, ratio: k, input, method,
            snr: mean(rows.map((q) => q.snr)),
            lsd: mean(rows.map((q) => q.lsd)),
            n: rows.length,
            wallS: rows[0]!.wallS === null ? null : rows.reduce((a, q) => a + (q.wallS ?? 0), 0),
          });
        }
      }
    }
  }
  sectionWall['superres'] = (performance.now() - ts) / 1000;

  // ---------------------------------------------------------------- inpainting
  ts = startSection('inpainting');
  const inpRaw: Array<Omit<InpRow, 'n'>> = [];
  let inpPic: Panel[] | null = null;
  let inpTitle = '';
  const ctxS = 0.3; // seconds of context each side of the gap in the excerpt handed to the engine
  for (const clips of [pianoClips, voiceClips]) {
    for (const clip of clips.slice(0, cfg.inpClips)) {
      for (const gms of cfg.gapsMs) {
        const g = Math.round((gms / 1000) * M);
        const ctx = Math.round(ctxS * M);
        const len = g + 2 * ctx;
        // the gap sits in the middle of the loudest stretch of the clip (a played / voiced region)
        const s = loudestStart(clip.x, len);
        const x = normPeak(clip.x.subarray(s, s + len));
        const a = Math.min(ctx, Math.floor((x.length - g) / 2));
        const b = a + g;
        const holed = x.slice();
        holed.fill(0, a, b);
        const add = (method: string, est: Float32Array, wallS: number | null) =>
          inpRaw.push({ source: clip.source, gapMs: gms, method, snr: snr(x.subarray(a, b), est.subarray(a, b)), wallS });
        add('linear interpolation', linearFill(holed, a, b), null);
        add('LPC two-sided extrapolation + crossfade (engine warm start)', lpcFill(holed, a, b), null);
        add('Janssen AR interpolation (p=32, 5 it.)', janssenFill(holed, a, b), null);
        const r = await job({ kind: 'inpaint', audio: { sampleRate: M, channels: [holed] }, regions: [{ start: a / M, end: b / M }], source: clip.source, ...common });
        if (!r) continue;
        const out = wholeTrack(r, 'alt1', [holed])[0]!;
        add('PnF (this engine)', out, r.seconds);
        const last = inpRaw[inpRaw.length - 1]!;
        log(`inpaint ${clip.name} ${gms} ms: PnF ${fmt(last.snr)} dB (LPC ${fmt(inpRaw[inpRaw.length - 3]!.snr)}, Janssen ${fmt(inpRaw[inpRaw.length - 2]!.snr)}) in ${r.seconds.toFixed(1)} s`);
        if (!inpPic && gms === 250) {
          const z0 = Math.max(0, a - Math.round(0.15 * M));
          const z1 = Math.min(x.length, b + Math.round(0.15 * M));
          inpTitle = `INPAINTING 250 MS GAP: ${clip.name} (GAP AT ${((a - z0) / M).toFixed(2)}-${((b - z0) / M).toFixed(2)} S)`;
          inpPic = [
            { label: 'INPUT: WITH GAP', samples: holed.subarray(z0, z1), sampleRate: M },
            { label: 'OUTPUT: PNF', samples: out.subarray(z0, z1), sampleRate: M },
            { label: 'TRUTH', samples: x.subarray(z0, z1), sampleRate: M },
          ];
        }
      }
    }
  }
  if (inpPic) picture('inpainting.png', inpPic, inpTitle);
  const inpTable: InpRow[] = [];
  for (const source of ['piano', 'voice']) {
    for (const gms of cfg.gapsMs) {
      for (const method of [...new Set(inpRaw.map((q) => q.method))]) {
        const rows = inpRaw.filter((q) => q.source === source && q.gapMs === gms && q.method === method);
        if (!rows.length) continue;
        inpTable.push({ source, gapMs: gms, method, snr: mean(rows.map((q) => q.snr)), n: rows.length, wallS: rows[0]!.wallS === null ? null : rows.reduce((acc, q) => acc + (q.wallS ?? 0), 0) });
      }
    }
  }
  sectionWall['inpainting'] = (performance.now() - ts) / 1000;

  // ---------------------------------------------------------------- unconditional: bits/sample
  ts = startSection('unconditional');
  const gen: GenRow[] = [];
  const LN2 = Math.log(2);
  let genPic: Panel[] = [];
  for (const [source, prior, clips] of [['piano', piano, pianoClips], ['voice', voice, voiceClips]] as const) {
    const sigma = prior.schedule.sigmaMin;
    // at least two receptive fields, so most samples are predicted from a full history
    const n = Math.max(Math.round(cfg.genSeconds * M), 2 * (prior.receptiveField + 1));
    const genSeconds = n / M;
    // reference: real audio under the same prior (held-out eval clip, loudest excerpt, peak 0.9)
    const c0 = clips[0]!;
    const xr = normPeak(c0.x.subarray(loudestStart(c0.x, n), loudestStart(c0.x, n) + n));
    gen.push({ source, method: `real audio (${c0.name}, peak 0.9)`, levels: null, steps: null, totalSteps: null, bitsPerSample: -(await meanLogp(prior, xr, sigma)) / LN2, rms: rms(xr), seconds: genSeconds, wallS: null });
    for (const [L, S] of cfg.genSettings) {
      const r = await job({ kind: 'generate', seconds: genSeconds, source, preset: cfg.preset, levels: L, steps: S, seed: cfg.seed, ...(cfg.threads ? { threads: cfg.threads } : {}) });
      if (!r) continue;
      const lp = r.reports[0]?.meanLogpOutput ?? NaN;
      gen.push({ source, method: 'PnF (annealed Langevin from noise)', levels: L, steps: S, totalSteps: L * S, bitsPerSample: -lp / LN2, rms: rms(r.tracks['audio']![0]!), seconds: genSeconds, wallS: r.seconds });
      log(`generate ${source} ${L}x${S}: ${fmt(-lp / LN2, 3)} bits/sample in ${r.seconds.toFixed(1)} s`);
      if (source === 'piano' && L * S === Math.max(...cfg.genSettings.map(([a, b]) => a * b))) genPic.push({ label: `PNF SAMPLE (${L}X${S} STEPS)`, samples: r.tracks['audio']![0]!, sampleRate: M });
    }
    const bins = prior.card?.bins?.length ?? 0;
    const aSeconds = cfg.ancestralSeconds ?? genSeconds;
    const evals = bins * (prior.receptiveField + 1) * Math.round(aSeconds * M);
    if (bins && (evals <= cfg.ancestralMaxEvals || cfg.ancestralSeconds !== undefined)) {
      const r = await job({ kind: 'generate', seconds: aSeconds, source, ancestral: true, seed: cfg.seed, ...(cfg.threads ? { threads: cfg.threads } : {}) });
      if (!r) continue;
      const lp = r.reports[0]?.meanLogpOutput ?? NaN;
      gen.push({ source, method: 'ancestral (sample by sample)', levels: null, steps: null, totalSteps: null, bitsPerSample: -lp / LN2, rms: rms(r.tracks['audio']![0]!), seconds: aSeconds, wallS: r.seconds });
      log(`generate ${source} ancestral: ${fmt(-lp / LN2, 3)} bits/sample in ${r.seconds.toFixed(1)} s`);
      if (source === 'piano') genPic.push({ label: 'ANCESTRAL SAMPLE', samples: r.tracks['audio']![0]!, sampleRate: M });
    } else {
      gen.push({
        source, method: 'ancestral (sample by sample)', levels: null, steps: null, totalSteps: null, bitsPerSample: null, rms: null, seconds: aSeconds, wallS: null,
        note: `not run: ${bins} bins x ${prior.receptiveField + 1} context = ${(bins * (prior.receptiveField + 1)).toLocaleString('en')} score evaluations per sample (${evals.toExponential(1)} for ${aSeconds} s) exceeds the budget ${cfg.ancestralMaxEvals.toExponential(1)}; --ancestral-seconds forces it`,
      });
    }
    if (source === 'piano') genPic.push({ label: 'REAL PIANO (REFERENCE)', samples: xr, sampleRate: M });
  }
  if (genPic.length) picture('unconditional.png', genPic, 'UNCONDITIONAL PIANO SAMPLES VS REAL AUDIO');
  genPic = [];
  sectionWall['unconditional'] = (performance.now() - ts) / 1000;

  // ---------------------------------------------------------------- quality vs steps
  ts = startSection('curves');
  const curves: CurveRow[] = [];
  const presetOf = (L: number, S: number): string | null => {
    const names: string[] = [];
    for (const p of ['draft', 'standard', 'best'] as PresetName[]) {
      const pl = planSchedule(piano, { kind: 'generate', seconds: 1, preset: p }, null);
      if (pl.schedule.levels === L && pl.schedule.stepsPerLevel === S) names.push(p);
    }
    return names.length ? names.join('/') : null;
  };
  {
    const cl = Math.round(cfg.curveSeconds * M);
    const pc = pianoClips[0]!;
    const vc = voiceClips[0]!;
    const s = jointStart(pc.x, vc.x, cl);
    const n = Math.min(cl, pc.x.length, vc.x.length);
    const mixd = makeMixture(pc.x.subarray(s, s + n), vc.x.subarray(s, s + n));
    const ps = loudestStart(pc.x, cl);
    const k = 4;
    const nx = Math.floor(Math.min(cl, pc.x.length - ps) / k) * k;
    const xs = normPeak(pc.x.subarray(ps, ps + nx));
    const ys = Float32Array.from({ length: nx / k }, (_, j) => xs[j * k]!);
    const g = Math.round(0.25 * M);
    const ctx = Math.round(ctxS * M);
    const vs = loudestStart(vc.x, g + 2 * ctx);
    const xi = normPeak(vc.x.subarray(vs, vs + g + 2 * ctx));
    const a = Math.min(ctx, Math.floor((xi.length - g) / 2));
    const holed = xi.slice();
    holed.fill(0, a, a + g);
    const tSep = `separation (${pc.name} + ${vc.name}, ${(n / M).toFixed(2)} s)`;
    const tSr = `super-resolution x4 decimation (${pc.name}, ${(nx / M).toFixed(2)} s)`;
    const tInp = `inpainting 250 ms (${vc.name})`;
    curves.push({ task: tSep, levels: 0, steps: 0, totalSteps: 0, metric: 'mean SI-SDR dB', value: (siSdr(mixd.p, mixd.mix) + siSdr(mixd.v, mixd.mix)) / 2, wallS: 0, preset: 'baseline: mixture (the warm start, halved)' });
    curves.push({ task: tSr, levels: 0, steps: 0, totalSteps: 0, metric: 'SNR dB', value: snr(xs, splineUpsample(ys, k, nx)), wallS: 0, preset: 'baseline: cubic spline (the warm start)' });
    curves.push({ task: tInp, levels: 0, steps: 0, totalSteps: 0, metric: 'gap SNR dB', value: snr(xi.subarray(a, a + g), lpcFill(holed, a, a + g).subarray(a, a + g)), wallS: 0, preset: 'baseline: LPC fill (the warm start)' });
    for (const [L, S] of cfg.curveSettings) {
      const o = { preset: cfg.preset, seed: cfg.seed, levels: L, steps: S, ...(cfg.threads ? { threads: cfg.threads } : {}) };
      const r1 = await job({ kind: 'separate', audio: { sampleRate: M, channels: [mixd.mix] }, ...o });
      if (!r1) continue;
      const sd = (siSdr(mixd.p, r1.tracks['piano']![0]!) + siSdr(mixd.v, r1.tracks['voice']![0]!)) / 2;
      curves.push({ task: tSep, levels: L, steps: S, totalSteps: L * S, metric: 'mean SI-SDR dB', value: sd, wallS: r1.seconds, preset: presetOf(L, S) });
      const r2 = await job({ kind: 'upsample', audio: { sampleRate: M / k, channels: [ys] }, factor: k, source: 'piano', ...o });
      if (!r2) continue;
      curves.push({ task: tSr, levels: L, steps: S, totalSteps: L * S, metric: 'SNR dB', value: snr(xs, r2.tracks['audio']![0]!.subarray(0, nx)), wallS: r2.seconds, preset: presetOf(L, S) });
      const r3 = await job({ kind: 'inpaint', audio: { sampleRate: M, channels: [holed] }, regions: [{ start: a / M, end: (a + g) / M }], source: 'voice', ...o });
      if (!r3) continue;
      curves.push({ task: tInp, levels: L, steps: S, totalSteps: L * S, metric: 'gap SNR dB', value: snr(xi.subarray(a, a + g), wholeTrack(r3, 'alt1', [holed])[0]!.subarray(a, a + g)), wallS: r3.seconds, preset: presetOf(L, S) });
      // the same separation started at the largest sigma the prior was trained for instead of the
      // warm start (sampler called directly with the engine's operator): shows whether the warm start
      // is what limits it
      const coldSigma = Math.min(piano.sigmaRange.max, voice.sigmaRange.max);
      if (performance.now() <= sectionEnd) {
        const half = mixd.mix.map((u) => u / 2);
        const rc = await sample([{ prior: piano, init: half }, { prior: voice, init: half }], sumOperator(mixd.mix), {
          schedule: { ...piano.schedule, levels: L, stepsPerLevel: S },
          startSigma: coldSigma,
          seed: cfg.seed,
        });
        curves.push({ task: tSep + `, cold start at sigma ${coldSigma}`, levels: L, steps: S, totalSteps: L * S, metric: 'mean SI-SDR dB', value: (siSdr(mixd.p, rc.x[0]!) + siSdr(mixd.v, rc.x[1]!)) / 2, wallS: rc.seconds, preset: null });
      } else skipped['curves'] = (skipped['curves'] ?? 0) + 1;
      log(`curve ${L}x${S}: ${curves.filter((c) => c.levels === L && c.steps === S).map((c) => `${c.task.split(' (')[0]}${c.task.includes('cold') ? ' cold' : ''} ${fmt(c.value)}`).join(', ')}`);
    }
    curves.sort((p, q) => (p.task < q.task ? -1 : p.task > q.task ? 1 : p.totalSteps - q.totalSteps));
  }
  sectionWall['curves'] = (performance.now() - ts) / 1000;

  await models.dispose();
  const wall = (performance.now() - t0) / 1000;
  const meta = {
    mode: cfg.mode,
    /** The arguments this run was given (so the header names the exact command). */
    args: process.argv.slice(2).filter((a) => a !== '--rerender'),
    date: new Date().toISOString(),
    commit: git.commit,
    dirtyTree: git.dirty,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}${cfg.machineNote ? `; ${cfg.machineNote}` : ''}`,
    device: piano.device,
    priors: priorsMeta,
    preset: cfg.preset,
    levels: plan.schedule.levels,
    stepsPerLevel: plan.schedule.stepsPerLevel,
    presetText,
    seed: cfg.seed,
    modelRate: M,
    evalDir: cfg.evalDir,
    clips: { piano: pianoClips.map((c) => c.name), voice: voiceClips.map((c) => c.name) },
    counts: {
      separationPairs: pairCount,
      validationPairs: valTable[0]?.n ?? 0,
      superresClipsPerSource: Math.min(cfg.srClips, pianoClips.length) + ' piano, ' + Math.min(cfg.srClips, voiceClips.length) + ' voice',
      inpaintingClipsPerSource: Math.min(cfg.inpClips, pianoClips.length) + ' piano, ' + Math.min(cfg.inpClips, voiceClips.length) + ' voice',
    },
    excerpts: { separationSeconds: cfg.sepSeconds, superresSeconds: cfg.srSeconds, inpaintContextSeconds: ctxS, generateSeconds: cfg.genSeconds, curveSeconds: cfg.curveSeconds },
    wallSeconds: wall,
    sectionWallSeconds: sectionWall,
    budgetMinutes: Number.isFinite(cfg.budgetMin) ? cfg.budgetMin : null,
    skippedPnfRuns: skipped,
    failures,
    notes,
  };
  const results: EvalResults = {
    meta,
    separation: { table: sepTable, pairs, validation: valTable, validationPairs: valPairs, paper: PAPER_SEPARATION },
    superres: { table: srTable, paper: PAPER_SUPERRES },
    inpainting: { table: inpTable },
    unconditional: { table: gen },
    curves: { table: curves },
    pictures,
  };
  writeFileSync(join(cfg.outDir, 'results.json'), JSON.stringify(results, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n');
  writeFileSync(join(cfg.outDir, 'results.md'), renderMarkdown(results));
  log(`wrote ${join(cfg.outDir, 'results.md')} (${wall.toFixed(0)} s)`);
  return results;
}

// ------------------------------------------------------------------ Markdown

export function renderMarkdown(r: EvalResults): string {
  const m = r.meta as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const L: string[] = [];
  const out = (s = '') => L.push(s);
  out(`# Quality evaluation (${m.mode})`);
  out();
  const argText = (m.args ?? (m.mode === 'quick' ? ['--quick'] : [])).join(' ');
  out(`Command: \`npm run eval${argText ? ` -- ${argText}` : ''}\` (bench/eval/eval.ts). Measured ${m.date} on commit \`${m.commit}\`${m.dirtyTree ? ' (with uncommitted changes in src-main / src-shared / bench/eval / resources)' : ''}.`);
  out();
  out(`* Machine: ${m.machine}; engine device ${m.device}.`);
  for (const s of ['piano', 'voice']) {
    const p = m.priors[s];
    out(`* ${s} prior: \`${p.card}\` (${p.name}; receptive field ${p.receptiveField}; ${p.samplesSeen ?? '?'} training samples seen; exported ${p.exportedAt ?? '?'}; card validation bits/sample ${p.validationBitsPerSample ? JSON.stringify(p.validationBitsPerSample) : '-'}).`);
  }
  out(`* PnF settings: ${m.presetText}. All runs use fixed seeds; the same command reproduces these numbers on the same machine and priors.`);
  out(`* Data: ${m.evalDir} (real recordings, never trained on), mono, resampled to ${m.modelRate} Hz. Separation: ${m.counts.separationPairs} piano x voice pair(s) (+ ${m.counts.validationPairs ?? 0} from the training data's validation split), ${m.excerpts.separationSeconds} s excerpts where both are active. Super-resolution: ${m.counts.superresClipsPerSource} clip(s), ${m.excerpts.superresSeconds} s loudest excerpt, peak 0.9. Inpainting: ${m.counts.inpaintingClipsPerSource} clip(s), gap in the middle of the loudest stretch, ${m.excerpts.inpaintContextSeconds} s context each side.`);
  out(`* Wall time: ${Number(m.wallSeconds).toFixed(0)} s in all (${Object.entries(m.sectionWallSeconds as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}).`);
  for (const n of m.notes as string[]) out(`* **${n}**`);
  const sk = Object.entries((m.skippedPnfRuns ?? {}) as Record<string, number>).filter(([, v]) => v > 0);
  for (const f of (m.failures ?? []) as string[]) out(`* **FAILED: ${f}**`);
  if (sk.length) out(`* **Time budget (${m.budgetMinutes} min) ran out: PnF runs skipped: ${sk.map(([k, v]) => `${k} ${v}`).join(', ')}. PnF averages are over the runs that were made (clip counts per row).**`);
  out();
  out(`Paper numbers are quoted for orientation only: they are on other test sets (Supra piano, VCTK), at 22.05 kHz, with GPU-trained priors (~5e9 samples seen) and 24 x 256 Langevin steps.`);
  out();

  out('## 1. Source separation, SI-SDR (dB), higher is better');
  out();
  out('| algorithm | all | piano | voice | mixtures | PnF wall s | note |');
  out('|---|---|---|---|---|---|---|');
  for (const row of r.separation.table) out(`| ${row.method} | ${fmt(row.all)} | ${fmt(row.piano)} | ${fmt(row.voice)} | ${row.n} | ${fmt(row.wallS, 1)} | ${row.note ?? ''} |`);
  for (const row of r.separation.paper) out(`| *${row.method} (Supra/VCTK)* | *${row.all}* | *${row.piano}* | *${row.voice}* | - | - | other data |`);
  out();
  if (r.separation.validation.length) {
    out('Held-out VALIDATION split of the training data (synthetic: renderers / soundfonts never trained on; same mixing):');
    out();
    out('| algorithm | all | piano | voice | mixtures | PnF wall s | note |');
    out('|---|---|---|---|---|---|---|');
    for (const row of r.separation.validation) out(`| ${row.method} | ${fmt(row.all)} | ${fmt(row.piano)} | ${fmt(row.voice)} | ${row.n} | ${fmt(row.wallS, 1)} | ${row.note ?? ''} |`);
    out();
  }
  out('Per mixture:');
  out();
  out('| piano clip | voice clip | excerpt | method | piano | voice |');
  out('|---|---|---|---|---|---|');
  for (const q of [...r.separation.pairs, ...r.separation.validationPairs]) out(`| ${q.piano} | ${q.voice} | ${q.start.toFixed(2)}+${q.seconds.toFixed(2)} s | ${q.method} | ${fmt(q.piano_siSdr)} | ${fmt(q.voice_siSdr)} |`);
  out();

  out('## 2. Super-resolution (16 kHz truth), SNR (dB, higher is better) / LSD (lower is better)');
  out();
  const ratios = [...new Set(r.superres.table.map((q) => q.ratio))];
  const methods = [...new Set(r.superres.table.map((q) => q.method))];
  for (const input of ['decimate', 'lowpass'] as const) {
    out(input === 'decimate' ? '### Paper-style input: pure decimation (every k-th sample kept)' : '### Realistic input: low-pass (libsamplerate best) then decimate');
    out();
    out(`| source | ratio | ${methods.map((q) => `${q} SNR / LSD`).join(' | ')} | PnF wall s | clips |${input === 'decimate' ? ' paper spline | paper KEE | paper PnF |' : ''}`);
    out(`|---|---|${methods.map(() => '---|').join('')}---|---|${input === 'decimate' ? '---|---|---|' : ''}`);
    for (const source of ['piano', 'voice']) {
      for (const k of ratios) {
        const rows = methods.map((me) => r.superres.table.find((q) => q.source === source && q.input === input && q.ratio === k && q.method === me));
        if (!rows.some(Boolean)) continue;
        const pnf = rows[rows.length - 1];
        const pp = r.superres.paper.find((q) => q.source === source && q.ratio === k);
        const bestBase = Math.max(...rows.slice(0, -1).map((q) => q?.snr ?? -Infinity));
        const cells = rows.map((q, i) => (q ? `${i === rows.length - 1 && q.snr > bestBase ? '**' : ''}${fmt(q.snr)}${i === rows.length - 1 && q.snr > bestBase ? '**' : ''} / ${fmt(q.lsd)}` : '-'));
        out(`| ${source} | ${k}x | ${cells.join(' | ')} | ${fmt(pnf?.wallS, 1)} | ${rows[0]?.n ?? 0} |${input === 'decimate' ? (pp ? ` *${pp.spline}* | *${pp.kee}* | *${pp.pnf}* |` : ' - | - | - |') : ''}`);
      }
    }
    out();
  }
  out('PnF is bold where it beats every baseline on SNR. SNR over the whole excerpt (the kept samples included, as in the authors\' evaluation). LSD: log10 power, STFT 1024 / hop 256, Hann, all bins 0-8 kHz. Band-limited (sinc) interpolation leaves the band above the input\'s Nyquist EMPTY, which LSD punishes heavily although its SNR is good; spline and linear leave aliased images there. Baselines are computed on the same input the engine gets (for the realistic input: through the low-pass).');
  out();

  out('## 3. Inpainting, SNR inside the gap (dB), higher is better');
  out();
  const im = [...new Set(r.inpainting.table.map((q) => q.method))];
  out(`| source | gap | ${im.join(' | ')} | PnF wall s | clips |`);
  out(`|---|---|${im.map(() => '---|').join('')}---|---|`);
  for (const source of ['piano', 'voice']) {
    for (const gms of [...new Set(r.inpainting.table.map((q) => q.gapMs))]) {
      const rows = im.map((me) => r.inpainting.table.find((q) => q.source === source && q.gapMs === gms && q.method === me));
      if (!rows.some(Boolean)) continue;
      out(`| ${source} | ${gms} ms | ${rows.map((q) => fmt(q?.snr)).join(' | ')} | ${fmt(rows.find((q) => q?.method.startsWith('PnF'))?.wallS, 1)} | ${rows[0]?.n ?? 0} |`);
    }
  }
  out();
  out('The paper reports no inpainting SNR table; 0 dB = as good as silence, so small positive numbers are typical for long gaps.');
  out();

  out('## 4. Unconditional generation: bits/sample under the prior (lower = more likely)');
  out();
  out('Differential bits/sample = -mean log p_sigma(x) / ln 2 of the smoothed prior density at sigma_min (the score graph\'s logp), over the whole clip; comparable between rows of the same prior, not with the card\'s discrete bits.');
  out();
  out('| source | sampler | levels x steps | total steps | seconds | bits/sample | RMS | wall s | note |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const g of r.unconditional.table) out(`| ${g.source} | ${g.method} | ${g.levels ? `${g.levels} x ${g.steps}` : '-'} | ${g.totalSteps ?? '-'} | ${fmt(g.seconds, 3)} | ${fmt(g.bitsPerSample, 3)} | ${fmt(g.rms, 4)} | ${fmt(g.wallS, 1)} | ${g.note ?? ''} |`);
  out();
  out('RMS is shown because near-silence is very likely under any audio prior: a low bits/sample with a tiny RMS means the sampler produced (almost) nothing, not good audio.');
  out();

  out('## 5. Quality vs steps (one clip per task; what the presets are chosen from)');
  out();
  out('| task | levels x steps | total steps | preset | metric | value | wall s |');
  out('|---|---|---|---|---|---|---|');
  for (const c of r.curves.table) out(`| ${c.task} | ${c.totalSteps ? `${c.levels} x ${c.steps}` : '-'} | ${c.totalSteps} | ${c.preset ?? ''} | ${c.metric} | ${fmt(c.value)} | ${fmt(c.wallS, 1)} |`);
  out();

  out('## 6. Pictures (log-frequency spectrograms: input / output / truth)');
  out();
  for (const p of r.pictures) out(`* [${p}](${p})`);
  out();
  return L.join('\n') + '\n';
}

// ------------------------------------------------------------------ CLI

function parseArgs(argv: string[]): EvalConfig {
  const has = (n: string) => argv.includes(`--${n}`);
  const opt = (n: string): string | undefined => {
    const i = argv.indexOf(`--${n}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${n}=`));
    return eq ? eq.slice(n.length + 3) : undefined;
  };
  const num = (n: string): number | undefined => (opt(n) !== undefined ? Number(opt(n)) : undefined);
  const cfg = defaultConfig(has('quick') ? 'quick' : 'full');
  if (opt('out')) cfg.outDir = resolve(opt('out')!);
  if (opt('eval-dir')) cfg.evalDir = resolve(opt('eval-dir')!);
  if (opt('model-dir')) cfg.modelDir = resolve(opt('model-dir')!);
  if (opt('model')) cfg.model = resolve(opt('model')!);
  if (opt('preset')) cfg.preset = opt('preset') as PresetName;
  if (opt('machine-note')) cfg.machineNote = opt('machine-note'); // e.g. "CPU shared with training"
  const set = <K extends keyof EvalConfig>(k: K, v: EvalConfig[K] | undefined) => {
    if (v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) cfg[k] = v;
  };
  set('levels', num('levels'));
  set('steps', num('steps'));
  set('seed', num('seed'));
  set('threads', num('threads'));
  set('sepSeconds', num('sep-seconds'));
  set('maxPairs', num('pairs'));
  set('valPairs', num('val-pairs'));
  set('srSeconds', num('sr-seconds'));
  set('srClips', num('sr-clips'));
  set('inpClips', num('inp-clips'));
  set('genSeconds', num('gen-seconds'));
  set('curveSeconds', num('curve-seconds'));
  set('ancestralSeconds', num('ancestral-seconds'));
  set('budgetMin', num('budget-min'));
  const settings = (s: string | undefined): Setting[] | undefined => (s ? s.split(',').map((t) => t.split('x').map(Number) as Setting) : undefined);
  set('genSettings', settings(opt('gen-settings')));
  set('curveSettings', settings(opt('curve-settings')));
  if (has('no-pictures')) cfg.pictures = false;
  cfg.notes = argv.flatMap((a, i) => (a === '--note' && argv[i + 1] ? [argv[i + 1]!] : a.startsWith('--note=') ? [a.slice(7)] : []));
  return cfg;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv.includes('--rerender')) {
  const argv = process.argv.slice(2);
  const dir = resolve(argv[argv.indexOf('--rerender') + 1]!);
  const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as EvalResults;
  const meta = r.meta as { notes?: string[] };
  meta.notes = [...(meta.notes ?? []), ...(parseArgs(argv).notes ?? [])];
  writeFileSync(join(dir, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  writeFileSync(join(dir, 'results.md'), renderMarkdown(r));
  console.log(`rewrote ${join(dir, 'results.md')}`);
} else if (isMain) {
  const cfg = parseArgs(process.argv.slice(2));
  console.log(`PnF quality evaluation (${cfg.mode}) -> ${cfg.outDir}`);
  runEval(cfg)
    .then(() => process.exit(0))
    .catch((e) => {
      console.error(`eval failed: ${(e as Error)?.stack ?? String(e)}`);
      process.exit(1);
    });
}


