// Separation settings on the real recordings: which sampler settings move the stems apart?
// For the first N piano x voice pairs of `npm run eval` (same excerpts and mixing), the engine's
// sampler runs from the halved mixture with each setting below, and the mean SI-SDR of both stems
// is compared with the halved mixture itself (what a separation that does nothing scores).
// Settings: the soft constraint of the reference (gradient -gamma/sigma^2 (x1 + x2 - m), exact
// sum only at the end) against the hard one (projected after every step); step-size scale;
// levels x steps. Writes bench/engine/separation.md; --write-presets writes the chosen setting
// into both cards (taskPresets.separate, taskEtaScale.separate, warmStart.separate,
// temperature.separate, separationMeasured).
//
//   npx tsx bench/engine/separation.ts [--pairs 6] [--seconds 0.5] [--write-presets]
//   npx tsx bench/engine/separation.ts --presets-only [--pairs 20]   (only the cards' current presets;
//        writes bench/engine/separation-presets.md)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrior } from '../../src-main/engine/prior';
import { sample } from '../../src-main/engine/sampler';
import { planSchedule } from '../../src-main/engine/tasks';
import { PRESET_NAMES } from '../../src-shared/engine/jobs';
import { GaussianObservation, Identity } from '../../src-main/engine/operators';
import { writeFileAtomic } from '../../src-main/io/atomic-write';
import { siSdr } from '../../src-shared/audio/metrics';
import { DEFAULT_EVAL_DIR, ROOT, loadClips, pairOrder, jointStart, makeMixture } from '../eval/eval';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const NPAIRS = Number(arg('pairs') ?? 6);
const SECONDS = Number(arg('seconds') ?? 0.5);
const WRITE = process.argv.includes('--write-presets');
const PRESETS_ONLY = process.argv.includes('--presets-only');
const RATE = 16000;
/** A costlier setting must gain at least this much mean SI-SDR over the cheaper choice to be chosen. */
const MIN_GAIN_DB = 0.1;

interface Setting { name: string; hard: boolean; etaScale: number; levels: number; steps: number; startSigma: number; temperature: number }

async function main(): Promise<void> {
  const dir = join(ROOT, 'resources/models');
  const piano = await loadPrior(join(dir, 'piano.json'), { threads: 2 });
  const voice = await loadPrior(join(dir, 'voice.json'), { threads: 2 });
  const base = piano.schedule;
  const pairs = pairOrder(await loadClips(DEFAULT_EVAL_DIR, 'piano', RATE), await loadClips(DEFAULT_EVAL_DIR, 'voice', RATE)).slice(0, NPAIRS);
  const len = Math.round(SECONDS * RATE);
  const mixes = pairs.map(([pc, vc]) => {
    const s = jointStart(pc.x, vc.x, len);
    const n = Math.min(len, pc.x.length - s, vc.x.length - s);
    return { name: `${pc.name} + ${vc.name}`, ...makeMixture(pc.x.subarray(s, s + n), vc.x.subarray(s, s + n)) };
  });
  const lines: string[] = [];
  const log = (s: string) => {
    console.log(s);
    lines.push(s);
  };
  const halfScore = (m: (typeof mixes)[number]) => {
    const h = m.mix.map((u) => u / 2);
    return (siSdr(m.p, h) + siSdr(m.v, h)) / 2;
  };
  const baseline = mixes.map(halfScore);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

  const run = async (st: Setting) => {
    const t0 = performance.now();
    const per: number[] = [];
    for (const m of mixes) {
      const half = m.mix.map((u) => u / 2);
      const op = new GaussianObservation(m.mix, Identity, { signals: [0, 1], gamma: 15, projectAtEnd: true, projectEachStep: st.hard });
      const r = await sample([{ prior: piano, init: half }, { prior: voice, init: half }], op, {
        schedule: { ...base, levels: st.levels, stepsPerLevel: st.steps, etaScale: st.etaScale },
        startSigma: st.startSigma, temperature: st.temperature, seed: 1, denoise: false,
      });
      per.push((siSdr(m.p, r.x[0]!) + siSdr(m.v, r.x[1]!)) / 2);
    }
    const row = { st, per, mean: mean(per), seconds: (performance.now() - t0) / 1000 };
    log(`| ${st.name} | ${st.hard ? 'hard' : 'soft'} | ${st.etaScale} | ${st.levels} x ${st.steps} | ${st.startSigma} | ${st.temperature} | ${per.map((v) => v.toFixed(2)).join(' / ')} | **${row.mean.toFixed(2)}** | ${(row.mean - mean(baseline)).toFixed(2)} | ${row.seconds.toFixed(0)} |`);
    return row;
  };

  log('# Separation settings on real recordings');
  log('');
  log(`Command: \`npx tsx bench/engine/separation.ts --pairs ${NPAIRS} --seconds ${SECONDS}${WRITE ? ' --write-presets' : ''}${PRESETS_ONLY ? ' --presets-only' : ''}\` (${new Date().toISOString()}).`);
  log(`Priors: resources/models/piano.json + voice.json. ${mixes.length} mixtures of the eval clips (as \`npm run eval\`: excerpts where both are active, equal RMS, peak 0.9), ${SECONDS} s each: ${mixes.map((m) => m.name).join('; ')}.`);
  log(`Every run starts from the halved mixture (x_piano = x_voice = m/2), seed 1, sigma geometric from the start sigma to ${base.sigmaMin}, no final denoising step. SI-SDR dB, mean of the two stems, per mixture then the mean; "gain" is over the halved mixture itself (mean ${mean(baseline).toFixed(2)} dB: ${baseline.map((v) => v.toFixed(2)).join(' / ')}).`);
  log('');
  log('| setting | constraint | etaScale | levels x steps | start sigma | temperature | SI-SDR per mixture | mean | gain | wall s |');
  log('|---|---|---|---|---|---|---|---|---|---|');
  const S0 = base.sigmaMax;
  if (PRESETS_ONLY) {
    // the settings the app runs: the separate task's plan for each preset
    for (const preset of PRESET_NAMES) {
      const plan = planSchedule(piano, { kind: 'generate', seconds: 1, preset }, 'separate');
      const { levels, stepsPerLevel: steps, etaScale } = plan.schedule;
      await run({ name: preset, hard: true, etaScale, levels, steps, startSigma: plan.startSigma, temperature: plan.temperature });
    }
    writeFileSync(join(ROOT, 'bench/engine/separation-presets.md'), lines.join('\n') + '\n');
    await piano.dispose();
    await voice.dispose();
    return;
  }
  const shipped = await run({ name: 'before: 2 x 2 from the default warm start, soft, T=1', hard: false, etaScale: base.etaScale, levels: 2, steps: 2, startSigma: 5 * base.sigmaMin, temperature: 1 });
  // the soft constraint is stable only for etaScale * 2 * gamma < 2, so it runs at the reference step size
  const soft = await run({ name: 'soft, 4 x 5', hard: false, etaScale: base.etaScale, levels: 4, steps: 5, startSigma: S0, temperature: 0 });
  const etaRows = [];
  for (const eta of [1, 2, 4]) etaRows.push(await run({ name: `hard, eta ${eta}`, hard: true, etaScale: eta, levels: 4, steps: 5, startSigma: S0, temperature: 0 }));
  const etaBest = etaRows.reduce((a, b) => (b.mean > a.mean ? b : a));
  const eta = etaBest.st.etaScale;
  const t1 = await run({ name: 'hard, temperature 1', hard: true, etaScale: eta, levels: 4, steps: 5, startSigma: S0, temperature: 1 });
  const temperature = t1.mean > etaBest.mean + MIN_GAIN_DB ? 1 : 0;
  const hard = (levels: number, steps: number) => run({ name: `hard, ${levels} x ${steps}`, hard: true, etaScale: eta, levels, steps, startSigma: S0, temperature });
  const costRows = [await hard(2, 5), temperature === 0 ? etaBest : t1, await hard(4, 10), await hard(8, 10)];
  // presets by step budget (draft <= 20, standard <= 40, best <= 80 total steps): the best setting within
  // the budget; a dearer setting is taken only if it gains MIN_GAIN_DB over the cheaper choice
  const sorted = costRows.sort((a, b) => a.st.levels * a.st.steps - b.st.levels * b.st.steps);
  const pick = (budget: number) => sorted.filter((r) => r.st.levels * r.st.steps <= budget).reduce((a, b) => (b.mean > a.mean + MIN_GAIN_DB ? b : a));
  const presets = { draft: pick(20).st, standard: pick(40).st, best: pick(80).st };
  log('');
  log(`Step-size scale chosen: ${eta}; temperature ${temperature}. Presets: ${Object.entries(presets).map(([k, s]) => `${k} ${s.levels} x ${s.steps}`).join(', ')}.`);
  log(`Before (as shipped until now): ${shipped.mean.toFixed(2)} dB; the soft constraint, 4 x 5 at its stable step size: ${soft.mean.toFixed(2)} dB; the chosen standard preset: ${costRows.find((r) => r.st === presets.standard)!.mean.toFixed(2)} dB; the halved mixture: ${mean(baseline).toFixed(2)} dB.`);
  if (WRITE) {
    for (const name of ['piano.json', 'voice.json']) {
      const path = join(dir, name);
      const card = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
      card['taskPresets'] = { ...card['taskPresets'], separate: Object.fromEntries(Object.entries(presets).map(([k, s]) => [k, { levels: s.levels, stepsPerLevel: s.steps }])) };
      card['taskEtaScale'] = { ...card['taskEtaScale'], separate: eta };
      card['warmStart'] = { ...card['warmStart'], separate: S0 };
      card['temperature'] = { ...card['temperature'], separate: temperature };
      card['separationMeasured'] = { by: 'bench/engine/separation.ts --write-presets', at: new Date().toISOString(), mixtures: mixes.length, seconds: SECONDS, halvedMixtureSiSdr: Number(mean(baseline).toFixed(3)), meanSiSdr: Object.fromEntries(costRows.map((r) => [`${r.st.levels}x${r.st.steps}`, Number(r.mean.toFixed(3))])) };
      await writeFileAtomic(path, Buffer.from(JSON.stringify(card, null, 1) + '\n'));
    }
    log('Written into resources/models/piano.json and voice.json.');
  }
  writeFileSync(join(ROOT, 'bench/engine/separation.md'), lines.join('\n') + '\n');
  await piano.dispose();
  await voice.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
