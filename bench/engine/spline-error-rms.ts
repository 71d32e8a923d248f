// How far the cubic spline is from the truth at 2x, 4x and 8x decimation, and how well the blind estimate the
// engine can make predicts it: per clip and factor, the RMS of the spline's error on the samples it interpolates
// (uses the full-rate truth), the spline's self-error on the low-rate samples alone (splineSelfError: what the
// engine sees), and their ratio. The median ratio over clips and factors is the r a card's
// `splineErrorStart.upsample` would take (bench/priors/preregistered-session25.md: fixed on the tune pieces, never
// on the eval clips). Each clip at 16 kHz mono, peak 0.9, as in level-weights.ts.
//
//   npx tsx bench/engine/spline-error-rms.ts [--eval-dir DIR] [--out FILE]    (default: the piano eval clips ->
//   bench/engine/spline-error-rms.md; tune pieces from training/write_tune_pieces.py)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splineSelfError, splineUpsample } from '../../src-main/engine/baselines';
import { loadClips, normPeak, DEFAULT_EVAL_DIR } from '../eval/eval';
import { opt } from './args';

const HERE = dirname(fileURLToPath(import.meta.url));
const FACTORS = [2, 4, 8];

/** RMS of (truth - spline) over the samples the spline interpolates (every sample not kept by the decimation). */
function splineErrorRms(x: Float32Array, k: number): number {
  const s = splineUpsample(x.filter((_, i) => i % k === 0), k, x.length);
  let e = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) if (i % k) { e += (x[i]! - s[i]!) ** 2; m++; }
  return Math.sqrt(e / m);
}

/** The q-quantile of xs (linear between order statistics). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const p = q * (s.length - 1);
  const lo = Math.floor(p);
  return s[lo]! + (p - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

async function main() {
  const card = JSON.parse(readFileSync(join(HERE, '../../resources/models/piano.json'), 'utf8'));
  const dir = opt('eval-dir');
  const out = resolve(opt('out') ?? join(HERE, 'spline-error-rms.md'));
  const clips = await loadClips(dir ?? DEFAULT_EVAL_DIR, 'piano', 16000);
  if (!clips.length) throw new Error(`no piano clips in ${dir ?? DEFAULT_EVAL_DIR}`);
  const rows = clips.map((c) => {
    const x = normPeak(c.x);
    return { name: c.name, per: FACTORS.map((k) => {
      const truth = splineErrorRms(x, k);
      const blind = splineSelfError(x.filter((_, i) => i % k === 0));
      return { truth, blind, ratio: truth / blind };
    }) };
  });
  const ratios = rows.flatMap((r) => r.per.map((p) => p.ratio)).filter(Number.isFinite);
  const perFactor = FACTORS.map((k, j) => rows.map((r) => r.per[j]!.ratio).filter(Number.isFinite));
  const e = (v: number) => v.toExponential(2);
  const spread = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(3)} (min ${Math.min(...xs).toFixed(3)}, quartiles ${quantile(xs, 0.25).toFixed(3)} .. ${quantile(xs, 0.75).toFixed(3)}, max ${Math.max(...xs).toFixed(3)})`;
  const lines = [
    '# The cubic spline\'s error against its blind estimate and the warm-start sigma',
    '',
    `\`npx tsx bench/engine/spline-error-rms.ts${dir ? ` --eval-dir ${dir}` : ''}${opt('out') ? ` --out ${opt('out')}` : ''}\` (${new Date().toISOString()}; ${clips.length} clips, 16 kHz mono, peak 0.9). ` +
      'truth = RMS of truth - spline on the interpolated samples (uses the full-rate truth); blind = the spline\'s self-error on the kept samples alone ' +
      '(splineSelfError: the spline through every other kept sample, scored on the ones it left out); ratio = truth / blind. ' +
      `The piano card starts its upsampling ascent at sigma ${card.warmStart.upsample} and anneals to ${card.schedule.sigmaMin}.`,
    '',
    `| clip | ${FACTORS.map((k) => `${k}x truth | ${k}x blind | ${k}x ratio`).join(' | ')} |`,
    `|---|${FACTORS.map(() => '---|---|---').join('|')}|`,
    ...rows.map((r) => `| ${r.name} | ${r.per.map((p) => `${e(p.truth)} | ${e(p.blind)} | ${p.ratio.toFixed(3)}`).join(' | ')} |`),
    '',
    `Ratio over all clips and factors: ${spread(ratios)}.`,
    ...FACTORS.map((k, j) => `* ${k}x alone: ${spread(perFactor[j]!)}.`),
    '',
  ];
  writeFileSync(out, lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
