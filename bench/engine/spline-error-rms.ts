// How far the cubic spline is from the truth on the piano eval clips at 2x, 4x and 8x decimation: the RMS of its
// error on the samples it interpolates (each clip at 16 kHz mono, peak 0.9, as in level-weights.ts). A diagnosis
// (it uses the full-rate truth), set beside the card's warm-start sigma: the ascent starts as if the spline were
// that far off. Writes bench/engine/spline-error-rms.md.
//
//   npx tsx bench/engine/spline-error-rms.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splineUpsample } from '../../src-main/engine/baselines';
import { loadClips, normPeak, DEFAULT_EVAL_DIR } from '../eval/eval';

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

async function main() {
  const card = JSON.parse(readFileSync(join(HERE, '../../resources/models/piano.json'), 'utf8'));
  const clips = await loadClips(DEFAULT_EVAL_DIR, 'piano', 16000);
  const lines = [
    '# The cubic spline\'s error on the piano eval clips, against the warm-start sigma',
    '',
    `\`npx tsx bench/engine/spline-error-rms.ts\` (${new Date().toISOString()}): RMS of truth - spline on the interpolated samples ` +
      `(16 kHz mono, peak 0.9). The piano card starts its upsampling ascent at sigma ${card.warmStart.upsample} and anneals to ${card.schedule.sigmaMin}.`,
    '',
    `| clip | ${FACTORS.map((k) => `${k}x`).join(' | ')} |`,
    `|---|${FACTORS.map(() => '---').join('|')}|`,
    ...clips.map((c) => `| ${c.name} | ${FACTORS.map((k) => splineErrorRms(normPeak(c.x), k).toExponential(2)).join(' | ')} |`),
    '',
  ];
  writeFileSync(join(HERE, 'spline-error-rms.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
