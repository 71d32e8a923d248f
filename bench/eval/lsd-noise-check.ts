// Is PnF's low LSD in super-resolution more than added noise? Side by side on the same excerpts
// (first two eval clips per source, loudest 0.5 s, peak 0.9, 4x pure decimation): LSD and SNR of the
// cubic spline, of the spline plus white noise on the interpolated samples, and of the upsample task
// at the draft preset. Writes bench/eval/results/lsd-noise-check.md.
//   npx tsx bench/eval/lsd-noise-check.ts
import { writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile } from '../../src-main/io/decode';
import { resample } from '../../src-main/io/resample';
import { splineUpsample } from '../../src-main/engine/baselines';
import { ModelSet, runJob } from '../../src-main/engine/tasks';
import { snr, lsd } from '../../src-shared/audio/metrics';
const M = 16000, k = 4, secs = 0.5;
function loudest(x: Float32Array, n: number) { let best = 0, be = -1; for (let s = 0; s + n <= x.length; s += 1600) { let e = 0; for (let i = s; i < s + n; i++) e += x[i]! ** 2; if (e > be) { be = e; best = s; } } return x.slice(best, best + n); }
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
const models = new ModelSet({});
const verdicts: string[] = [];
const out: string[] = ['# LSD vs added noise (4x pure decimation, 2 clips per source, 0.5 s)', '', 'Command: `npx tsx bench/eval/lsd-noise-check.ts` (' + new Date().toISOString() + ').', '', '| source | method | LSD (lower is better) | SNR dB |', '|---|---|---|---|'];
for (const src of ['piano', 'voice'] as const) {
  const dir = `/work/shared/eval/${src}`;
  const acc: Record<string, number[]> = {};
  for (const f of readdirSync(dir).sort().slice(0, 2)) {
    const a = await decodeAudioFile(join(dir, f));
    let x = loudest((await resample([a.channels[0]!], a.sampleRate, M))[0]!, Math.round(secs * M));
    const pk = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0); x = x.map((v) => (v / pk) * 0.9);
    const n = Math.floor(x.length / k) * k; x = x.subarray(0, n);
    const y = Float32Array.from({ length: n / k }, (_, j) => x[j * k]!);
    const sp = splineUpsample(y, k, n);
    const add = (m: string, e: Float32Array) => ((acc[m] ??= []).push(lsd(x, e, M, { fftSize: 1024 })), (acc[m + ' SNR'] ??= []).push(snr(x, e)));
    add('spline', sp);
    for (const s of [0.0003, 0.001, 0.002]) add(`spline+noise ${s}`, sp.map((v, i) => (i % k === 0 ? v : v + s * gauss())));
    const r = await runJob({ kind: 'upsample', audio: { sampleRate: M / k, channels: [y] }, factor: k, source: src, preset: 'draft', seed: 1 }, { priors: models });
    add('PnF', r.tracks.audio![0]!.subarray(0, n));
  }
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  for (const m of Object.keys(acc).filter((m) => !m.endsWith(' SNR'))) out.push(`| ${src} | ${m} | ${avg(acc[m]!).toFixed(3)} | ${avg(acc[m + ' SNR']!).toFixed(2)} |`);
  const noise = Math.min(...Object.keys(acc).filter((m) => m.startsWith('spline+noise') && !m.endsWith(' SNR')).map((m) => avg(acc[m]!)));
  verdicts.push(`${src}: best spline + noise LSD ${noise.toFixed(3)} vs PnF ${avg(acc['PnF']!).toFixed(3)} (PnF ${avg(acc['PnF']!) < noise ? 'lower' : 'NOT lower'} by ${Math.abs(noise - avg(acc['PnF']!)).toFixed(3)})`);
}
await models.dispose();
out.push('', ...verdicts.map((v) => `* ${v}`), '', 'Where white noise at the same SNR gets as low an LSD, PnF\'s LSD lead in `npm run eval` says little about reconstruction quality.');
writeFileSync(new URL('./results/lsd-noise-check.md', import.meta.url), out.join('\n') + '\n');
console.log(out.join('\n'));
