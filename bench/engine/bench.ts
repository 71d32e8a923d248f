// Engine benchmark: one command, prints a table and writes bench/engine/results.md.
//
//   npx tsx bench/engine/bench.ts [--model-dir DIR] [--ckpt training/.runs/piano/ckpt.pt] [--full] [--skip-long]
//
// Sections: (1) score-graph throughput and the PyTorch reference on the same weights (when a
// checkpoint and training/reference_sampler.py exist), (2) sampler throughput (sample-updates/s),
// (3) time vs clip length, (4) threads x windows per batch, (5) wall time and peak RSS per task and
// preset (each in a fresh process, so peak RSS is that task's), (6) 10-minute stereo separation
// peak RSS (bounded-memory check). Without --full, standard/best for upsample and separate are
// EXTRAPOLATED from the measured draft run (time is linear in steps) and marked so.
//
//   npx tsx bench/engine/bench.ts --curve --source piano|voice [--seconds 1] [--settings 2x5,4x10]
//       [--eta-scales 0.05,1] [--start-sigmas ...] [--temperatures ...] [--write-presets] [--model-dir DIR]
//       [--eval-dir DIR] [--out FILE] [--threads N]
//
// Quality vs steps (and step size) for 4x upsampling on the eval clips, or on the clips in DIR/<source>
// (e.g. a tune set: training/tune_upsampling.py --dump-clips DIR), see curve() below; writes
// bench/engine/curve-<source>.md, or FILE.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { loadPrior, findCard, type OnnxPrior } from '../../src-main/engine/prior';
import { sample, DEFAULT_WINDOW, DEFAULT_BATCH } from '../../src-main/engine/sampler';
import { NoObservation } from '../../src-main/engine/operators';
import { ModelSet, runJob, planSchedule } from '../../src-main/engine/tasks';
import type { JobRequest, PresetName } from '../../src-shared/engine/jobs';
import { choosePresets, MIN_GAIN_DB, PRESET_BUDGETS, type CurveRow } from './choose-presets';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1] : undefined;
};

function synth(seconds: number, rate: number, seed = 1): Float32Array {
  const n = Math.round(seconds * rate);
  const x = new Float32Array(n);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) - 0.5;
  const f = [196, 247, 294, 392].map((v) => v * (1 + 0.01 * seed));
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    for (const [k, fk] of f.entries()) v += (0.12 / (k + 1)) * Math.sin(2 * Math.PI * fk * t) * Math.exp(-((t % 1) * 2));
    x[i] = v + 0.002 * rnd();
  }
  return x;
}

// ------------------------------------------------------------------ child mode: one task
async function childTask(): Promise<void> {
  const kind = opt('task')!;
  const preset = opt('preset') as PresetName;
  const seconds = Number(opt('seconds') ?? 4);
  const modelDir = opt('model-dir');
  const model = opt('model');
  const steps = opt('steps') ? Number(opt('steps')) : undefined;
  const levels = opt('levels') ? Number(opt('levels')) : undefined;
  const channels = Number(opt('channels') ?? 1);
  const rate = Number(opt('rate') ?? 16000);
  const models = new ModelSet({ modelDir, model, verifyParity: false });
  const ch = (s: number) => Array.from({ length: channels }, (_, c) => synth(s, rate, c + 1));
  let req: JobRequest;
  const common = { preset, seed: 1, ...(steps ? { steps } : {}), ...(levels ? { levels } : {}) };
  if (kind === 'inpaint') req = { kind, audio: { sampleRate: rate, channels: ch(seconds) }, regions: [{ start: seconds / 2, end: seconds / 2 + 0.25 }], ...common };
  else if (kind === 'upsample') req = { kind, audio: { sampleRate: 4000, channels: Array.from({ length: channels }, (_, c) => synth(seconds, 4000, c + 1)) }, factor: 4, ...common };
  else req = { kind: 'separate', audio: { sampleRate: rate, channels: ch(seconds) }, ...common };
  const t0 = performance.now();
  const r = await runJob(req, { priors: models });
  const wall = (performance.now() - t0) / 1000;
  await models.dispose();
  process.stdout.write(JSON.stringify({ wall, maxRssMb: process.resourceUsage().maxRSS / 1024, sampleUpdates: r.sampleUpdates, levels: r.levels, steps: r.stepsPerLevel, reports: r.reports }) + '\n');
}

function runChild(extra: string[], timeoutS = 3600): { wall: number; maxRssMb: number; sampleUpdates: number; levels: number; steps: number } | { error: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', ...extra], { encoding: 'utf8', timeout: timeoutS * 1000, cwd: ROOT });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { error: (r.stderr || r.stdout || `exit ${r.status}`).split('\n').slice(-3).join(' ') };
  }
}

// ------------------------------------------------------------------ main
async function main(): Promise<void> {
  const out: string[] = [];
  const log = (s = '') => {
    console.log(s);
    out.push(s);
    writeFileSync(join(HERE, 'results.md'), out.join('\n') + '\n'); // progressively: a killed run keeps what it measured
  };
  const modelDir = resolve(opt('model-dir') ?? join(ROOT, 'resources/models'));
  let card: string;
  try {
    card = await findCard(modelDir, 'piano');
  } catch {
    card = join(ROOT, 'test/fixtures/models/tiny.json');
  }
  const prior: OnnxPrior = await loadPrior(card, { verifyParity: false });
  const rf = prior.receptiveField;
  log(`# Engine benchmark`);
  log('');
  log(`Command: \`npx tsx bench/engine/bench.ts ${args.join(' ')}\``);
  log(`Date: ${new Date().toISOString()}; machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; other jobs may share the CPUs.`);
  log(`Model: ${card} (${prior.name}, receptive field ${rf}, ${JSON.stringify(prior.card.model?.['params'] ?? '?')} params); device ${prior.device}.`);
  log('');

  // (1) score graph vs PyTorch reference
  log('## 1. Score graph (logp + grad), batch 8 x 4000, vs the PyTorch reference on the same weights');
  log('');
  log('| implementation | threads | samples/s |');
  log('|---|---|---|');
  const scoreRate = async (threads: number): Promise<number> => {
    const p = await loadPrior(card, { threads, verifyParity: false });
    const B = 8, T = 4000;
    const x = new Float32Array(B * T).map((_, i) => 0.1 * Math.sin(i * 0.01));
    const s = new Float32Array(B).fill(0.01);
    await p.score(x, B, T, s);
    const t0 = performance.now();
    const n = 3;
    for (let i = 0; i < n; i++) await p.score(x, B, T, s);
    await p.dispose();
    return (n * B * T) / ((performance.now() - t0) / 1000);
  };
  const ortRates: Record<number, number> = {};
  for (const th of [1, 2]) {
    ortRates[th] = await scoreRate(th);
    log(`| ORT ${prior.device} (this engine) | ${th} | ${ortRates[th]!.toFixed(0)} |`);
  }
  // default: the committed checkpoint the shipped piano prior was exported from
  const shippedCkpt = resolve(ROOT, 'training/checkpoints/piano.pt');
  const ckpt = opt('ckpt') ?? (existsSync(shippedCkpt) && !opt('model-dir') ? shippedCkpt : undefined);
  const refPy = join(ROOT, 'training/reference_sampler.py');
  const refRates: Record<number, number> = {};
  if (ckpt && existsSync(ckpt) && existsSync(refPy)) {
    for (const th of [1, 2]) {
      const r = spawnSync('/usr/bin/python3', [refPy, 'speed', '--ckpt', ckpt, '--threads', String(th)], { encoding: 'utf8', timeout: 600_000 });
      const m = /([0-9.]+) samples\/s/.exec(r.stdout);
      if (m) {
        refRates[th] = Number(m[1]);
        log(`| PyTorch autograd (training/reference_sampler.py speed) | ${th} | ${refRates[th]!.toFixed(0)} |`);
      } else log(`| PyTorch reference | ${th} | failed: ${(r.stderr || '').split('\n').slice(-2).join(' ')} |`);
    }
    log('');
    for (const th of [1, 2]) if (refRates[th]) log(`Ratio ORT / PyTorch at ${th} thread(s): **${(ortRates[th]! / refRates[th]!).toFixed(2)}**`);
  } else log(`| PyTorch reference | - | not run (needs --ckpt <the checkpoint these ONNX weights came from> and training/reference_sampler.py) |`);
  log('');

  // (2)+(3) sampler throughput and time vs length
  const run = async (seconds: number, window: number, batch: number, threads?: number, steps = 2) => {
    const p = threads ? await loadPrior(card, { threads, verifyParity: false }) : prior;
    const n = Math.round(seconds * p.sampleRate);
    const r = await sample([{ prior: p, init: synth(seconds, p.sampleRate) }], NoObservation, {
      schedule: { ...p.schedule, levels: 1, stepsPerLevel: steps },
      start: 'init', seed: 1, window, batch, denoise: false,
    });
    if (threads) await p.dispose();
    return { seconds: r.seconds, rate: (n * steps) / r.seconds };
  };
  log('## 2. Sampler throughput (annealed Langevin, whole clip updated every step)');
  log('');
  const base = await run(4, DEFAULT_WINDOW, DEFAULT_BATCH, undefined, 3);
  log(`4 s clip, window ${DEFAULT_WINDOW} (+${rf} context each side), ${DEFAULT_BATCH} window(s) per run (the defaults), default threads: **${base.rate.toFixed(0)} sample-updates/s** (${(base.seconds / 3).toFixed(2)} s per step)`);
  if (refRates[2]) log(`Ratio to the PyTorch reference sampler (whole clip per step, 2 threads): **${(base.rate / refRates[2]).toFixed(2)}**`);
  log('');
  log('## 3. Time vs clip length (2 steps, default window and batch)');
  log('');
  log('| clip s | wall s | s per clip-second | sample-updates/s |');
  log('|---|---|---|---|');
  for (const s of [1, 2, 4, 8]) {
    const r = await run(s, DEFAULT_WINDOW, DEFAULT_BATCH);
    log(`| ${s} | ${r.seconds.toFixed(2)} | ${(r.seconds / s).toFixed(3)} | ${r.rate.toFixed(0)} |`);
  }
  log('');
  log('## 4. Threads x window x windows per batch (4 s clip, 2 steps)');
  log('');
  log('| threads | window | batch | sample-updates/s |');
  log('|---|---|---|---|');
  for (const th of [1, 2]) {
    for (const [w, b] of [[2048, 1], [2048, 8], [4096, 4], [8192, 1], [8192, 4], [16384, 2]] as const) {
      const r = await run(4, w, b, th);
      log(`| ${th} | ${w} | ${b} | ${r.rate.toFixed(0)} |`);
    }
  }
  log('');

  // (5) tasks x presets
  log('## 5. Tasks at each preset (fresh process each; synthetic 16 kHz / 4 kHz input)');
  log('');
  log('| task | preset | levels x steps | wall s | peak RSS MB | note |');
  log('|---|---|---|---|---|---|');
  const modelArgs = ['--model-dir', modelDir, ...(card.includes('tiny') ? ['--model', card] : [])];
  for (const task of ['inpaint', 'upsample', 'separate']) {
    let draftWall = 0;
    let draftSteps = 0;
    for (const preset of ['draft', 'standard', 'best'] as PresetName[]) {
      const plan = planSchedule(prior, { kind: 'generate', seconds: 1, preset }, null);
      const total = plan.schedule.levels * plan.schedule.stepsPerLevel;
      const measure = flag('full') || task === 'inpaint' || preset === 'draft';
      const label = task === 'inpaint' ? 'inpaint 250 ms gap (4 s clip)' : task === 'upsample' ? 'upsample 4 s x4 (4 kHz -> 16 kHz)' : 'separate 4 s';
      if (measure) {
        const r = runChild(['--task', task, '--preset', preset, '--seconds', '4', ...modelArgs]);
        if ('error' in r) log(`| ${label} | ${preset} | ${plan.schedule.levels} x ${plan.schedule.stepsPerLevel} | - | - | failed: ${r.error} |`);
        else {
          if (preset === 'draft') {
            draftWall = r.wall;
            draftSteps = total;
          }
          log(`| ${label} | ${preset} | ${r.levels} x ${r.steps} | ${r.wall.toFixed(1)} | ${r.maxRssMb.toFixed(0)} | measured |`);
        }
      } else if (draftSteps) {
        log(`| ${label} | ${preset} | ${plan.schedule.levels} x ${plan.schedule.stepsPerLevel} | ~${((draftWall * total) / draftSteps).toFixed(0)} | (as draft) | extrapolated from draft (linear in steps); --full measures |`);
      }
    }
  }
  log('');

  // (6) long input memory
  if (!flag('skip-long')) {
    log('## 6. Bounded memory: separate a 10-minute stereo 44.1 kHz file (1 level x 1 step; memory does not depend on steps)');
    log('');
    const tiny = join(ROOT, 'test/fixtures/models/tiny.json');
    const useCard = flag('long-real') ? [] : ['--model', tiny];
    const r = runChild(['--task', 'separate', '--preset', 'draft', '--seconds', '600', '--channels', '2', '--rate', '44100', '--levels', '1', '--steps', '1', ...modelArgs.filter((a) => a !== '--model' && a !== tiny), ...useCard], 7200);
    if ('error' in r) log(`failed: ${r.error}`);
    else log(`Peak RSS **${r.maxRssMb.toFixed(0)} MB** (limit 2048 MB), wall ${r.wall.toFixed(0)} s, model ${flag('long-real') ? prior.name : 'tiny (arrays dominate; per-batch activations of the real model are bounded by window x batch)'}.`);
    log('');
  }
  await prior.dispose();
  writeFileSync(join(HERE, 'results.md'), out.join('\n') + '\n');
  console.log(`\nwrote ${join(HERE, 'results.md')}`);
}

// ------------------------------------------------------------------ quality vs steps (presets)
/** Per-clip measurements and their mean (one row of a curve table). */
async function overClips<T>(items: T[], measure: (item: T, i: number) => Promise<number>): Promise<{ per: number[]; mean: number }> {
  const per: number[] = [];
  for (const [i, item] of items.entries()) per.push(await measure(item, i));
  return { per, mean: per.reduce((a, b) => a + b, 0) / per.length };
}

/**
 * Quality vs steps for 4x upsampling (paper-style decimation, spline warm start, as the upsample task
 * runs it) over every eval clip of a source; mean SNR per setting; then the warm-start sigma for
 * upsampling and for a 50 ms inpainting gap at the draft setting, then the temperature for upsampling.
 * With --write-presets, each preset becomes the best setting within its step budget and it, the warm
 * starts and the temperature are written into the model card (`presets`, `warmStart`, `temperature`),
 * which the tasks then use. Each sweep runs at the card's current values of the others (coordinate-wise),
 * so after a change re-run until the written values stop changing. Re-run whenever a prior changes.
 */
/** A mean margin over the spline below this is a tie (as training/eval_priors.py MEANINGFUL_DB). */
const MEANINGFUL_DB = 0.1;

async function curve(): Promise<void> {
  const { decimationMask, DecimateMap, MaskOperator, maskFromGaps } = await import('../../src-main/engine/operators');
  const { splineUpsample, lpcFill } = await import('../../src-main/engine/baselines');
  const { snr } = await import('../../src-shared/audio/metrics');
  const { writeFileAtomic } = await import('../../src-main/io/atomic-write');
  const { loadClips, loudestStart, normPeak, DEFAULT_EVAL_DIR } = await import('../eval/eval');
  const modelDir = resolve(opt('model-dir') ?? join(ROOT, 'resources/models'));
  const source = (opt('source') ?? 'piano') as 'piano' | 'voice';
  const cardPath = await findCard(modelDir, source);
  const p = await loadPrior(cardPath, { verifyParity: false, threads: opt('threads') ? Number(opt('threads')) : undefined });
  const evalDir = resolve(opt('eval-dir') ?? DEFAULT_EVAL_DIR);
  const n0 = Math.round(Number(opt('seconds') ?? 0.5) * p.sampleRate);
  const k = 4;
  const clips = (await loadClips(evalDir, source, p.sampleRate)).map(({ name, x: full }) => {
    const s0 = loudestStart(full, n0, Math.round(p.sampleRate / 10));
    const x = normPeak(full.subarray(s0, s0 + n0));
    const y = new DecimateMap(k).apply(x);
    return { name, x, y, base: splineUpsample(y, k, x.length) };
  });
  // the card's current warm start and temperature for upsampling, as the upsample task reads them, and the
  // task's step size (a preset may carry its own: --eta-scales measures others beside it)
  const upPlan = planSchedule(p, { kind: 'generate', seconds: 1 }, 'upsample');
  const { startSigma, temperature } = upPlan;
  const upEta = p.card?.taskEtaScale?.upsample ?? p.schedule.etaScale;
  const etas = opt('eta-scales') ? opt('eta-scales')!.split(',').map(Number) : [upEta];
  if (!etas.length || etas.some((e) => !(Number.isFinite(e) && e > 0))) throw new Error(`--eta-scales: positive numbers, comma-separated (got ${opt('eta-scales')})`);
  const inpaintEta = planSchedule(p, { kind: 'generate', seconds: 1 }, 'inpaint').schedule.etaScale;
  // a start sigma and step size chosen on a tune set (training/tune_upsampling.py --write-card) stay: the eval clips only report them
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown>; // (as on disk: written back with --write-presets)
  const tuned = card.upsampleTuned as { by?: string } | undefined;
  const lines: string[] = [];
  const log = (l = '') => {
    console.log(l);
    lines.push(l);
  };
  const names = clips.map((c) => c.name).join(' | ');
  const cols = clips.map(() => '---|').join('');
  const row = (label: string, r: { per: number[]; mean: number }, ref: number, extra = '') =>
    log(`| ${label} | ${r.per.map((v) => v.toFixed(2)).join(' | ')} | **${r.mean.toFixed(2)}** | ${(r.mean - ref).toFixed(2)} |${extra}`);
  /** 4x upsampling of every clip with this schedule, start sigma, temperature and step size; SNR per clip. */
  const upsampleSnr = (levels: number, stepsPerLevel: number, s0: number, temp = temperature, etaScale = upEta) =>
    overClips(clips, async (c) => {
      const r = await sample([{ prior: p, init: c.base }], decimationMask(c.y, k, c.x.length), { schedule: { ...p.schedule, levels, stepsPerLevel, etaScale }, startSigma: s0, temperature: temp, seed: 1, denoise: flag('denoise') });
      return snr(c.x, r.x[0]!);
    });

  const spline = await overClips(clips, async (c) => snr(c.x, c.base));
  log(`## Quality vs steps: ${p.name}, 4x upsampling of ${clips.length} clips in ${evalDir}/${source} (${n0 / p.sampleRate} s loudest excerpt each, peak 0.9)`);
  log('');
  log(`Command: \`npx tsx bench/engine/bench.ts ${args.join(' ')}\` (${new Date().toISOString()}; model trained on ${String((p.card?.training as { samplesSeen?: number } | undefined)?.samplesSeen ?? '?')} samples).`);
  log(`Warm start from the cubic spline at sigma ${startSigma}, geometric to ${p.schedule.sigmaMin}, etaScale ${upEta}${tuned ? ' (start sigma and etaScale chosen on a tune set: `' + tuned.by + '`)' : ''}, temperature ${temperature}${temperature === 0 ? ' (deterministic: no start or step noise)' : ''}, seed 1, ${flag('denoise') ? 'WITH' : 'no'} final denoising step.`);
  log('');
  log(`| levels x steps | total steps | etaScale | ${names} | **mean SNR dB** | vs spline dB | wall s |`);
  log(`|---|---|---|${cols}---|---|---|`);
  row('cubic spline | 0 | -', spline, spline.mean, ' 0 |');
  const settings = (opt('settings') ?? '2x2,2x5,4x5,4x10,8x10,8x20').split(',').map((t) => t.split('x').map(Number) as [number, number]);
  const rows: CurveRow[] = [];
  for (const [L, S] of settings)
    for (const eta of etas) {
      const t0 = performance.now();
      const r = await upsampleSnr(L, S, startSigma, temperature, eta);
      rows.push({ L, S, eta, mean: r.mean });
      row(`${L} x ${S} | ${L * S} | ${eta}`, r, spline.mean, ` ${((performance.now() - t0) / 1000).toFixed(0)} |`);
    }
  log('');
  const presets = choosePresets(rows, upEta);
  // at temperature 1 upsampling stands in for every task (general `presets`); at another temperature only for itself (`taskPresets.upsample`)
  const general = temperature === 1;
  log(`Presets = the best mean SNR within each step budget, more steps (or another step size than the task's ${upEta}) only for at least ${MIN_GAIN_DB} dB more (draft <= ${PRESET_BUDGETS.draft}, standard <= ${PRESET_BUDGETS.standard}, best <= ${PRESET_BUDGETS.best} total steps): ` +
    (['draft', 'standard', 'best'] as PresetName[]).map((n) => `${n} ${presets[n] ? `${presets[n]!.levels} x ${presets[n]!.stepsPerLevel}${presets[n]!.etaScale !== undefined ? ` at etaScale ${presets[n]!.etaScale}` : ''}` : '-'}`).join(', ') +
    (flag('write-presets') ? ` (written into ${cardPath.replace(ROOT + '/', '')} as ${general ? '`presets` for every task and ' : ''}\`taskPresets.upsample\`${general ? '' : '; the other tasks keep the card\'s `presets`, measured at temperature 1'}).` : ' (--write-presets writes them into the card).'));

  // warm-start sigma at the draft setting (coordinate-wise: the presets above used the current one)
  const draft = presets.draft ?? { levels: rows[0]!.L, stepsPerLevel: rows[0]!.S, etaScale: rows[0]!.eta };
  const draftEta = draft.etaScale ?? upEta;
  const starts = (opt('start-sigmas') ?? '0.002,0.005,0.01,0.02,0.05').split(',').map(Number).filter((v) => v >= p.schedule.sigmaMin && v <= p.sigmaRange.max);
  /** Sweep the start sigmas with `measure`; log a row each; the best sigma. */
  const sweep = async (measure: (s0: number) => Promise<{ per: number[]; mean: number }>, ref: number): Promise<number> => {
    log(`| start sigma | ${names} | **mean dB** | vs baseline dB |`);
    log(`|---|${cols}---|---|`);
    let best = { sigma: startSigma, mean: -Infinity };
    for (const s0 of starts) {
      const r = await measure(s0);
      if (r.mean > best.mean + MIN_GAIN_DB) best = { sigma: s0, mean: r.mean };
      row(String(s0), r, ref);
    }
    log('');
    return best.sigma;
  };
  log(`Warm-start sigma for upsampling at the draft setting (${draft.levels} x ${draft.stepsPerLevel}); SNR dB, baseline = cubic spline:`);
  log('');
  const upSwept = await sweep((s0) => upsampleSnr(draft.levels, draft.stepsPerLevel, s0, temperature, draftEta), spline.mean);
  const upStart = tuned ? startSigma : upSwept;
  log(tuned
    ? `Best warm-start sigma on these clips: ${upSwept}; the card keeps ${startSigma}, chosen on a tune set with its step size (never on the eval clips).`
    : `Best warm-start sigma for upsampling: ${upStart}${flag('write-presets') ? ' (written into the card as warmStart.upsample)' : ''}.`);
  log('');
  // temperature for upsampling at the draft setting and that warm start: 1 = a posterior sample, 0 = a deterministic best estimate
  const temps = (opt('temperatures') ?? '1,0.25,0').split(',').map(Number).filter((v) => Number.isFinite(v) && v >= 0);
  log(`Langevin temperature for upsampling at the draft setting (${draft.levels} x ${draft.stepsPerLevel}, start sigma ${upStart}); SNR dB, baseline = cubic spline:`);
  log('');
  log(`| temperature | ${names} | **mean dB** | vs baseline dB |`);
  log(`|---|${cols}---|---|`);
  let upTemp = { t: temperature, mean: -Infinity };
  for (const t of temps) {
    const r = await upsampleSnr(draft.levels, draft.stepsPerLevel, upStart, t, draftEta);
    if (r.mean > upTemp.mean + MIN_GAIN_DB) upTemp = { t, mean: r.mean };
    row(String(t), r, spline.mean);
  }
  log('');
  log(`Best temperature for upsampling: ${upTemp.t}${flag('write-presets') ? ' (written into the card as temperature.upsample)' : ''}. Inpainting keeps temperature 1 (posterior samples: its alternatives must differ); separation has its own, measured by bench/engine/separation.ts.`);
  log('');
  // inpainting: a 50 ms gap in the middle of each excerpt, LPC-fill warm start (as the inpaint task)
  const gapLen = Math.round(0.05 * p.sampleRate);
  const holes = clips.map((c) => {
    const a = Math.floor((c.x.length - gapLen) / 2);
    const b = a + gapLen;
    const holed = c.x.slice();
    holed.fill(0, a, b);
    return { a, b, truth: c.x.subarray(a, b), holed, base: lpcFill(holed, a, b), known: maskFromGaps(c.x.length, [[a, b]]) };
  });
  const lpc = await overClips(holes, async (h) => snr(h.truth, h.base.subarray(h.a, h.b)));
  // inpainting runs the general presets at temperature 1
  const inpaintDraft = general ? draft : (p.card?.presets?.draft ?? draft);
  log(`Warm-start sigma for inpainting a 50 ms gap (middle of each excerpt) at the general draft setting (${inpaintDraft.levels} x ${inpaintDraft.stepsPerLevel}, temperature 1); gap SNR dB, baseline = LPC fill (mean **${lpc.mean.toFixed(2)}**):`);
  log('');
  const inpStart = await sweep(
    (s0) =>
      overClips(holes, async (h) => {
        const r = await sample([{ prior: p, init: h.base }], new MaskOperator(h.holed, h.known), { schedule: { ...p.schedule, ...inpaintDraft, etaScale: inpaintEta }, startSigma: s0, seed: 1 });
        return snr(h.truth, r.x[0]!.subarray(h.a, h.b));
      }),
    lpc.mean,
  );
  log(`Best warm-start sigma for inpainting: ${inpStart}${flag('write-presets') ? ' (written into the card as warmStart.inpaint)' : ''}. Separation's start sigma is measured by bench/engine/separation.ts; \`npm run eval\` (section 5) compares it with a cold start at sigma 0.3.`);
  log('');
  await p.dispose();
  const bestRow = rows.reduce((a, b) => (b.mean > a.mean ? b : a), rows[0]!);
  const margin = bestRow ? bestRow.mean - spline.mean : 0;
  log(margin >= MEANINGFUL_DB
    ? `The best setting beats the spline by ${margin.toFixed(2)} dB.`
    : margin > 0
      ? `The best setting is level with the spline (+${margin.toFixed(2)} dB): under ${MEANINGFUL_DB} dB, which settings and excerpts alone move, the same rule as bench/priors/results.md.`
      : `No setting beats the spline: with this prior more steps move the estimate away from the truth, so the cheapest setting is the least harmful (see training/README.md and bench/priors/results.md for why).`);
  log('');
  if (flag('write-presets')) {
    if (general) card.presets = presets;
    card.taskPresets = { ...((card.taskPresets as Record<string, unknown> | undefined) ?? {}), upsample: presets };
    card.warmStart = { ...((card.warmStart as Record<string, number> | undefined) ?? {}), upsample: upStart, inpaint: inpStart };
    card.temperature = { ...((card.temperature as Record<string, number> | undefined) ?? {}), upsample: upTemp.t };
    card.presetsMeasured = { by: 'bench/engine/bench.ts --curve', at: new Date().toISOString(), task: `4x upsampling, ${opt('eval-dir') ? `clips in ${opt('eval-dir')}` : 'eval clips'}`, meanSnrDb: Object.fromEntries(rows.map((r) => [r.eta === upEta ? `${r.L}x${r.S}` : `${r.L}x${r.S}@${r.eta}`, Number(r.mean.toFixed(3))])), splineSnrDb: Number(spline.mean.toFixed(3)), temperature, warmStartUpsample: upStart, warmStartInpaint: inpStart, temperatureUpsample: upTemp.t };
    await writeFileAtomic(cardPath, Buffer.from(JSON.stringify(card, null, 1) + '\n'));
  }
  const outPath = opt('out') ? resolve(opt('out')!) : join(HERE, `curve-${source}${flag('denoise') ? '-denoise' : ''}.md`);
  writeFileSync(outPath, lines.join('\n') + '\n');
  console.log(`wrote ${outPath}`);
}

if (flag('curve')) curve().catch((e) => {
  console.error(e);
  process.exit(1);
});
else if (flag('child')) childTask().catch((e) => {
  console.error(e);
  process.exit(1);
});
else main().catch((e) => {
  console.error(e);
  process.exit(1);
});
