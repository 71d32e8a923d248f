// Is PnF's low LSD in super-resolution more than added noise? Side by side on the same excerpts
// (first two eval clips per source, loudest 0.5 s, peak 0.9, 4x pure decimation): LSD and SNR of the
// cubic spline, of the spline plus white noise on the interpolated samples, and of the upsample task
// at the draft preset. Writes bench/eval/results/lsd-noise-check.md.
//   npx tsx bench/eval/lsd-noise-check.ts
import { writeFileSync } from 'node:fs';
import { splineUpsample } from '../../src-main/engine/baselines';
import { ModelSet, runJob } from '../../src-main/engine/tasks';
import { Rng } from '../../src-main/engine/rng';
import { snr, lsd } from '../../src-shared/audio/metrics';
import { loadClips, loudestStart, normPeak, DEFAULT_EVAL_DIR } from './eval';

const M = 16000;
const k = 4;
const len = Math.round(0.5 * M);
const NOISE = [0.0003, 0.001, 0.002];
const rng = new Rng(7);
const models = new ModelSet({});
const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const out = ['# LSD vs added noise (4x pure decimation, 2 clips per source, 0.5 s)', '', `Command: \`npx tsx bench/eval/lsd-noise-check.ts\` (${new Date().toISOString()}).`, '', '| source | method | LSD (lower is better) | SNR dB |', '|---|---|---|---|'];
const verdicts: string[] = [];
for (const src of ['piano', 'voice'] as const) {
  const scores = new Map<string, { lsd: number[]; snr: number[] }>();
  const add = (method: string, x: Float32Array, est: Float32Array) => {
    const s = scores.get(method) ?? { lsd: [], snr: [] };
    s.lsd.push(lsd(x, est, M, { fftSize: 1024 }));
    s.snr.push(snr(x, est));
    scores.set(method, s);
  };
  for (const clip of (await loadClips(DEFAULT_EVAL_DIR, src, M)).slice(0, 2)) {
    const s0 = loudestStart(clip.x, len, M / 10);
    const full = normPeak(clip.x.subarray(s0, s0 + len));
    const x = full.subarray(0, Math.floor(full.length / k) * k);
    const y = Float32Array.from({ length: x.length / k }, (_, j) => x[j * k]!);
    const sp = splineUpsample(y, k, x.length);
    add('spline', x, sp);
    for (const sd of NOISE) add(`spline+noise ${sd}`, x, sp.map((v, i) => (i % k === 0 ? v : v + sd * rng.normal())));
    const r = await runJob({ kind: 'upsample', audio: { sampleRate: M / k, channels: [y] }, factor: k, source: src, preset: 'draft', seed: 1 }, { priors: models });
    add('PnF', x, r.tracks.audio![0]!.subarray(0, x.length));
  }
  for (const [m, s] of scores) out.push(`| ${src} | ${m} | ${avg(s.lsd).toFixed(3)} | ${avg(s.snr).toFixed(2)} |`);
  const noise = Math.min(...NOISE.map((sd) => avg(scores.get(`spline+noise ${sd}`)!.lsd)));
  const pnf = avg(scores.get('PnF')!.lsd);
  verdicts.push(`${src}: best spline + noise LSD ${noise.toFixed(3)} vs PnF ${pnf.toFixed(3)} (PnF ${pnf < noise ? 'lower' : 'NOT lower'} by ${Math.abs(noise - pnf).toFixed(3)})`);
}
await models.dispose();
out.push('', ...verdicts.map((v) => `* ${v}`), '', "Where white noise at the same SNR gets as low an LSD, PnF's LSD lead in `npm run eval` says little about reconstruction quality.");
writeFileSync(new URL('./results/lsd-noise-check.md', import.meta.url), out.join('\n') + '\n');
console.log(out.join('\n'));
