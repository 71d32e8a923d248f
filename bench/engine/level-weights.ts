// The editor's own 4x upsampling of WHOLE piano eval recordings, with a fixed step and with
// level-weighted steps (the engine's levelPower), side by side, at the editor's presets: does the
// reference sampler's whole-clip result (bench/priors/results-session20.md) hold in the product?
// Paper-style like the whole-clip check: each recording at 16 kHz mono, peak 0.9, every 4th sample
// kept, upsampled by 4 with the piano prior (its card's warm start, temperature and presets), SNR
// against the recording and against the cubic spline. Writes bench/engine/level-weights.md (+ .json).
// `--source voice` runs the voice prior on the voice eval clips instead (default piano).
// `--factor K` (2, 4, 8 or 16; default 4) keeps every Kth sample instead and upsamples by K. The ascent runs at every
// factor: the card's `ascentFactors` (which this bench decides) is left out of every card it measures.
// A power written "P+fold" also band-passes each step around the 4x fold (the engine's foldBand, session 21);
// "P@E" runs with a card whose upsampling step is etaScale E (its taskEtaScale.upsample; a copy of the piano
// card in a temporary folder, the weights linked), i.e. exactly what shipping that card would run. "P~R" runs
// with a card whose upsampling starts from the spline's own error (splineErrorStart.upsample = R; session 25), likewise.
//
//   npx tsx bench/engine/level-weights.ts [--presets draft,standard] [--powers 0,0.5,0.5+fold@0.4,0~0.25] [--threads 2] [--factor 4] [--source piano] [--eval-dir DIR] [--out FILE]
//   npx tsx bench/engine/level-weights.ts --presets ... --powers ... [--factor K] --from-json a.json,b.json --out FILE   (the report from saved rows)
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSet, runJob } from '../../src-main/engine/tasks';
import { splineUpsample } from '../../src-main/engine/baselines';
import { snr } from '../../src-shared/audio/metrics';
import { loadClips, normPeak, DEFAULT_EVAL_DIR } from '../eval/eval';
import { opt } from './args';
import { PRESET_NAMES, type PresetName } from '../../src-shared/engine/jobs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const RATE = 16000;
const presets = (opt('presets') ?? 'draft,standard').split(',') as PresetName[];
for (const p of presets) if (!PRESET_NAMES.includes(p)) throw new Error(`unknown preset ${p}`);
const powerArg = opt('powers') ?? '0,0.5';
/** Each step variant: a level power, whether the fold band is on ("P+fold"), and the card's upsampling step ("P@E"). */
const variants = powerArg.split(',').map((v) => {
  const m = /^([0-9.]+)(\+fold)?(?:@([0-9.]+))?(?:~([0-9.]+))?$/.exec(v.trim());
  const eta = m?.[3] === undefined ? undefined : Number(m[3]);
  const ratio = m?.[4] === undefined ? undefined : Number(m[4]);
  if (!m || !Number.isFinite(Number(m[1])) || (eta !== undefined && !(eta > 0)) || (ratio !== undefined && !(ratio > 0))) {
    throw new Error(`--powers takes numbers, each optionally with +fold, @etaScale and ~splineErrorStart (got "${v}")`);
  }
  return { power: Number(m[1]), fold: Boolean(m[2]), eta, ratio, label: v.trim() };
});
const label = (w: (typeof variants)[number]) =>
  `${w.power === 0 ? 'fixed step' : `levelPower ${w.power}`}${w.fold ? ' + fold band' : ''}${w.eta !== undefined ? ` @ etaScale ${w.eta}` : ''}${w.ratio !== undefined ? `, start ${w.ratio} x spline self-error` : ''}`;
type Variant = (typeof variants)[number];
interface Row { clip: string; factor?: number; preset: string; power: number; foldBand: boolean; etaScale?: number; splineErrorStart?: number; variant: string; spline: number; pnf: number; gain: number; wallS: number }
const threads = Number(opt('threads') ?? 2);
if (!(Number.isInteger(threads) && threads >= 1)) throw new Error('--threads takes a whole number of at least 1');
const MODEL_DIR = join(ROOT, 'resources/models');
/** The decimation factor: every `factor`-th sample kept, upsampled by `factor` (the model rate's divisors). */
const factor = Number(opt('factor') ?? 4);
if (![2, 4, 8, 16].includes(factor)) throw new Error('--factor takes 2, 4, 8 or 16');
/** Which prior and which eval clips: piano (default) or voice. */
const sourceArg = opt('source') ?? 'piano';
if (sourceArg !== 'piano' && sourceArg !== 'voice') throw new Error('--source takes piano or voice');
const source: 'piano' | 'voice' = sourceArg;
/** The options that change what is measured, as the report's command line writes them (defaults left out). */
const measureFlags = `${factor !== 4 ? ` --factor ${factor}` : ''}${source !== 'piano' ? ` --source ${source}` : ''}`;

/** A model folder whose card (of `source`) runs the upsampling ascent at every factor (no `ascentFactors`), at etaScale
 *  `eta` and/or from the spline's self-error times `ratio` where given (the weights and parity linked, not copied). */
function cardWith(eta: number | undefined, ratio: number | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'pnf-card-'));
  const card = JSON.parse(readFileSync(join(MODEL_DIR, `${source}.json`), 'utf8'));
  if (eta !== undefined) card.taskEtaScale = { ...card.taskEtaScale, upsample: eta };
  if (ratio !== undefined) card.splineErrorStart = { ...card.splineErrorStart, upsample: ratio };
  delete card.ascentFactors;
  writeFileSync(join(dir, `${source}.json`), JSON.stringify(card));
  for (const f of [card.onnx, card.parity]) symlinkSync(join(MODEL_DIR, f), join(dir, f));
  return dir;
}
const out = resolve(opt('out') ?? join(HERE, 'level-weights.md'));

async function main() {
  const tempDirs: string[] = [];
  const modelSets = new Map<string, ModelSet>();
  const modelsFor = (eta: number | undefined, ratio: number | undefined): ModelSet => {
    const key = `${eta}~${ratio}`;
    let m = modelSets.get(key);
    if (!m) {
      const dir = cardWith(eta, ratio);
      tempDirs.push(dir);
      m = new ModelSet({ modelDir: dir, threads });
      modelSets.set(key, m);
    }
    return m;
  };
  const clips = await loadClips(opt('eval-dir') ?? DEFAULT_EVAL_DIR, source, RATE);
  if (!clips.length) throw new Error(`no ${source} eval clips found`);
  const rows: Row[] = [];
  for (const clip of clips) {
    const x = normPeak(clip.x);
    const low = x.filter((_, i) => i % factor === 0);
    const spline = snr(x, splineUpsample(low, factor, x.length));
    for (const preset of presets) {
      for (const w of variants) {
        const t0 = performance.now();
        const r = await runJob({ kind: 'upsample', audio: { sampleRate: RATE / factor, channels: [low] }, factor, source, preset, seed: 1, levelPower: w.power, foldBand: w.fold }, { priors: modelsFor(w.eta, w.ratio) });
        const pnf = snr(x, r.tracks.audio![0]!);
        const start = r.notes.find((n) => /already fits closer|ascent starts at sigma/.test(n));
        const row = { clip: clip.name, factor, preset, power: w.power, foldBand: w.fold, etaScale: w.eta, splineErrorStart: w.ratio, variant: w.label, spline, pnf, gain: pnf - spline, wallS: (performance.now() - t0) / 1000 };
        rows.push(row);
        console.log(`${clip.name.padEnd(38)} ${preset.padEnd(8)} ${w.label.padEnd(14)} spline ${spline.toFixed(3)}  PnF ${pnf.toFixed(3)}  gain ${row.gain >= 0 ? '+' : ''}${row.gain.toFixed(3)} dB  (${row.wallS.toFixed(0)} s)${start ? `  [${start}]` : ''}`);
      }
    }
  }
  for (const m of modelSets.values()) await m.dispose();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  const command = `npx tsx bench/engine/level-weights.ts --presets ${presets.join(',')} --powers ${powerArg}${threads !== 2 ? ` --threads ${threads}` : ''}${measureFlags}${opt('eval-dir') ? ` --eval-dir ${opt('eval-dir')}` : ''}`;
  write(rows, clips.map((c) => c.name), `${command}\` (${new Date().toISOString()}`, true);
}

/** The report: gain over the spline per clip, preset and variant, each variant's mean, and each variant's
 *  largest per-clip loss to the first variant (the baseline). */
function write(rows: Row[], clipNames: string[], origin: string, saveRows: boolean) {
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const dB = (g: number) => `${g >= 0 ? '+' : ''}${g.toFixed(3)}`;
  const row = (clip: string, p: string, w: Variant) => {
    const r = rows.find((m) => m.clip === clip && m.preset === p && m.variant === w.label);
    if (!r) throw new Error(`no row for ${clip}, ${p}, ${w.label}`);
    return r;
  };
  const lines = [
    `# The editor's whole-clip ${factor}x upsampling of ${source} clips: fixed step against level-weighted (fold-band, longer) steps`,
    '',
    `\`${origin}; ${clipNames.length} clips; ` +
      `each at 16 kHz mono, peak 0.9, every ${factor === 2 ? 'other' : `${factor}th`} sample kept; ${source} prior, its card's warm start, temperature and presets; seed 1). Gain = SNR over the cubic spline, dB.`,
    '',
    `| clip | spline dB | ${presets.flatMap((p) => variants.map((w) => `${p}, ${label(w)}`)).join(' | ')} |`,
    `|---|---|${presets.flatMap(() => variants.map(() => '---')).join('|')}|`,
    ...clipNames.map((c) => `| ${c} | ${row(c, presets[0]!, variants[0]!).spline.toFixed(2)} | ${presets.flatMap((p) => variants.map((w) => dB(row(c, p, w).gain))).join(' | ')} |`),
    `| **mean** | ${mean(clipNames.map((c) => row(c, presets[0]!, variants[0]!).spline)).toFixed(2)} | ${presets.flatMap((p) => variants.map((w) => `**${dB(mean(clipNames.map((c) => row(c, p, w).gain)))}**`)).join(' | ')} |`,
    `| worst clip against ${label(variants[0]!)} | | ${presets.flatMap((p) => variants.map((w) => dB(Math.min(...clipNames.map((c) => row(c, p, w).gain - row(c, p, variants[0]!).gain))))).join(' | ')} |`,
    '',
  ];
  writeFileSync(out, lines.join('\n'));
  if (saveRows) writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ presets, powers: variants.map((w) => w.label), rows }, null, 1) + '\n');
  console.log(lines.join('\n'));
}

/** `--from-json a.json,b.json`: the report from rows saved by earlier runs (e.g. halves of the grid run side by side). */
function fromJson(files: string[]) {
  const rows = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: Row[] }).rows);
  const other = rows.find((r) => (r.factor ?? 4) !== factor);
  if (other) throw new Error(`a row of ${other.clip} was measured at ${other.factor ?? 4}x; pass --factor ${other.factor ?? 4}`);
  const clipNames = [...new Set(rows.map((r) => r.clip))].sort();
  write(rows, clipNames, `npx tsx bench/engine/level-weights.ts --presets ${presets.join(',')} --powers ${powerArg}${measureFlags} --from-json ${files.join(',')} --out ${opt('out') ?? 'bench/engine/level-weights.md'}\` (rows from ${files.length} runs`, false);
}

const fromFiles = opt('from-json');
(fromFiles ? Promise.resolve(fromJson(fromFiles.split(','))) : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
