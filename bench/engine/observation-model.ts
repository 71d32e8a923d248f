// Which observation model should the editor assume for a real low-rate file? A file that was resampled
// down (or recorded at the low rate) went through an anti-aliasing low-pass first, so its samples are NOT
// every k-th sample of the full-rate signal, which is what pure decimation (the paper's setting, and the
// editor's upsampling until session 26) assumes. This bench makes such files from the whole eval clips
// (libsamplerate's best low-pass + decimation, as any resampler does) and compares, against the truth:
// the cubic spline, band-limited (sinc) interpolation, and the engine under both observation models
// (pure decimation: spline warm start, hard constraint; low-pass: sinc warm start, Gaussian likelihood).
//
// `--task separate` asks the same of split + restore: piano + voice mixtures of the eval clips (`--seconds` S where
// both are active, `--pairs` N), low-passed to 8 kHz, separated and restored to 16 kHz under each model (SI-SDR).
//
//   npx tsx bench/engine/observation-model.ts [--factors 2,4] [--preset draft] [--threads 2] [--eval-dir DIR] [--out FILE]
//   npx tsx bench/engine/observation-model.ts --task separate [--pairs 20] [--seconds 4] [--preset draft] [--out FILE]
//
// Writes FILE (default bench/engine/observation-model.md, or -separate.md) and FILE's .json beside it.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSet, runJob } from '../../src-main/engine/tasks';
import { splineUpsample } from '../../src-main/engine/baselines';
import { resample } from '../../src-main/io/resample';
import { lsd, siSdr, snr } from '../../src-shared/audio/metrics';
import { PRESET_NAMES, type PresetName } from '../../src-shared/engine/jobs';
import { sincUpsample } from '../eval/baselines';
import { jointStart, loadClips, makeMixture, mean, normPeak, pairOrder, DEFAULT_EVAL_DIR } from '../eval/eval';
import { opt } from './args';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const RATE = 16000;
const factors = (opt('factors') ?? '2,4').split(',').map(Number);
for (const k of factors) if (![2, 4, 8].includes(k)) throw new Error('--factors takes 2, 4 and/or 8');
const preset = (opt('preset') ?? 'draft') as PresetName;
if (!PRESET_NAMES.includes(preset)) throw new Error(`unknown preset ${preset}`);
const threads = Number(opt('threads') ?? 2);
const task = opt('task') ?? 'upsample';
if (task !== 'upsample' && task !== 'separate') throw new Error('--task takes upsample or separate');
const out = resolve(opt('out') ?? join(HERE, task === 'separate' ? 'observation-model-separate.md' : 'observation-model.md'));

const METHODS = ['cubic spline', 'band-limited sinc', 'PnF, decimation model', 'PnF, low-pass model'] as const;
type Method = (typeof METHODS)[number];
interface Row { source: string; clip: string; seconds: number; factor: number; method: Method; snr: number; lsd: number; wallS: number | null }

/** Runs `measure` with the shipped priors, releasing them after. */
async function withShippedModels<T>(measure: (models: ModelSet) => Promise<T>): Promise<T> {
  const models = new ModelSet({ modelDir: join(ROOT, 'resources/models'), threads });
  try {
    return await measure(models);
  } finally {
    await models.dispose();
  }
}

/** The report at `out` and its rows as JSON beside it. */
function writeResults(data: Record<string, unknown>, markdown: string) {
  writeFileSync(out.replace(/\.md$/, '') + '.json', JSON.stringify({ at: new Date().toISOString(), preset, ...data }, null, 1) + '\n');
  writeFileSync(out, markdown);
  console.log(`wrote ${out}`);
}

async function main() {
  const rows: Row[] = [];
  await withShippedModels(async (models) => {
    for (const source of ['piano', 'voice'] as const) {
      const clips = await loadClips(opt('eval-dir') ?? DEFAULT_EVAL_DIR, source, RATE);
      if (!clips.length) throw new Error(`no ${source} eval clips found`);
      for (const clip of clips) {
        for (const k of factors) {
          const n = Math.floor(clip.x.length / k) * k;
          const x = normPeak(clip.x.subarray(0, n));
          const y = (await resample([x], RATE, RATE / k))[0]!;
          const add = (method: Method, est: Float32Array, wallS: number | null) => {
            const e = est.subarray(0, n);
            rows.push({ source, clip: clip.name, seconds: n / RATE, factor: k, method, snr: snr(x, e), lsd: lsd(x, e, RATE, { fftSize: 1024 }), wallS });
          };
          add('cubic spline', splineUpsample(y, k, n), null);
          add('band-limited sinc', sincUpsample(y, k, n), null);
          for (const lowpass of [false, true]) {
            const t0 = performance.now();
            const r = await runJob({ kind: 'upsample', audio: { sampleRate: RATE / k, channels: [y] }, factor: k, lowpass, source, preset, seed: 1 }, { priors: models });
            add(lowpass ? 'PnF, low-pass model' : 'PnF, decimation model', r.tracks.audio![0]!, (performance.now() - t0) / 1000);
          }
          const last = rows.slice(-4).map((r) => `${r.method} ${r.snr.toFixed(2)}/${r.lsd.toFixed(2)}`).join(', ');
          console.log(`${clip.name.padEnd(38)} ${k}x  ${last}`);
        }
      }
    }
  });
  writeResults({ factors, rows }, report(rows));
}

function report(rows: Row[]): string {
  const lines = [
    '# Upsampling real-style low-rate files: which observation model?',
    '',
    `\`npx tsx bench/engine/observation-model.ts --factors ${factors.join(',')} --preset ${preset}\` (${new Date().toISOString()}). ` +
      'Each whole eval clip, 16 kHz mono, peak 0.9, resampled down by libsamplerate (best: low-pass, then decimate, as any ' +
      "resampler or low-rate recorder does), then upsampled back; the clip's own prior; seed 1. SNR (dB, higher is better) / " +
      'LSD (log10 power, STFT 1024, lower is better) against the 16 kHz truth.',
    '',
  ];
  for (const k of factors) {
    lines.push(`## ${k}x (${RATE / k} Hz in)`, '', `| source | clip | s | ${METHODS.join(' | ')} |`, `|---|---|---|${METHODS.map(() => '---').join('|')}|`);
    for (const source of ['piano', 'voice']) {
      const mine = rows.filter((r) => r.factor === k && r.source === source);
      const clips = [...new Set(mine.map((r) => r.clip))];
      for (const clip of clips) {
        const cell = (m: Method) => {
          const r = mine.find((q) => q.clip === clip && q.method === m)!;
          return `${r.snr.toFixed(2)} / ${r.lsd.toFixed(2)}`;
        };
        lines.push(`| ${source} | ${clip} | ${mine.find((r) => r.clip === clip)!.seconds.toFixed(1)} | ${METHODS.map(cell).join(' | ')} |`);
      }
      const avg = (m: Method) => {
        const rs = mine.filter((q) => q.method === m);
        return `**${mean(rs.map((q) => q.snr)).toFixed(2)} / ${mean(rs.map((q) => q.lsd)).toFixed(2)}**`;
      };
      lines.push(`| ${source} | **mean** | | ${METHODS.map(avg).join(' | ')} |`);
    }
    const wall = (m: Method) => rows.filter((r) => r.factor === k && r.method === m).reduce((a, r) => a + (r.wallS ?? 0), 0);
    lines.push('', `Engine wall time, all clips: decimation model ${wall('PnF, decimation model').toFixed(0)} s, low-pass model ${wall('PnF, low-pass model').toFixed(0)} s.`, '');
  }
  return lines.join('\n');
}

interface SepRow { piano: string; voice: string; start: number; seconds: number; method: string; pianoSiSdr: number; voiceSiSdr: number; wallS: number | null }

/** Split + restore of low-passed 8 kHz mixtures under both observation models, SI-SDR against the 16 kHz stems. */
async function separateMain() {
  const pairsWanted = Number(opt('pairs') ?? 20);
  const seconds = Number(opt('seconds') ?? 4);
  const dir = opt('eval-dir') ?? DEFAULT_EVAL_DIR;
  const [pianos, voices] = [await loadClips(dir, 'piano', RATE), await loadClips(dir, 'voice', RATE)];
  if (!pianos.length || !voices.length) throw new Error('no piano or voice eval clips found');
  const pairs = pairOrder(pianos, voices).slice(0, pairsWanted);
  const rows: SepRow[] = [];
  await withShippedModels(async (models) => {
    for (const [pc, vc] of pairs) {
      const len = Math.round(seconds * RATE);
      const s = jointStart(pc.x, vc.x, len);
      const n = Math.floor(Math.min(len, pc.x.length - s, vc.x.length - s) / 2) * 2;
      const { p, v, mix } = makeMixture(pc.x.subarray(s, s + n), vc.x.subarray(s, s + n));
      const low = (await resample([mix], RATE, RATE / 2))[0]!;
      const add = (method: string, ep: Float32Array, ev: Float32Array, wallS: number | null) =>
        rows.push({ piano: pc.name, voice: vc.name, start: s / RATE, seconds: n / RATE, method, pianoSiSdr: siSdr(p, ep.subarray(0, n)), voiceSiSdr: siSdr(v, ev.subarray(0, n)), wallS });
      const sinc = sincUpsample(low, 2, n);
      add('mixture, sinc-interpolated (est = mixture)', sinc, sinc, null);
      for (const lowpass of [false, true]) {
        const t0 = performance.now();
        const r = await runJob({ kind: 'separate', audio: { sampleRate: RATE / 2, channels: [low] }, targetRate: RATE, lowpass, preset, seed: 1 }, { priors: models });
        add(lowpass ? 'PnF, low-pass model' : 'PnF, decimation model', r.tracks.piano![0]!, r.tracks.voice![0]!, (performance.now() - t0) / 1000);
      }
      console.log(`${pc.name} + ${vc.name}: ${rows.slice(-3).map((r) => `${r.method} ${r.pianoSiSdr.toFixed(2)}/${r.voiceSiSdr.toFixed(2)}`).join(', ')}`);
    }
  });
  const methods = [...new Set(rows.map((r) => r.method))];
  const lines = [
    '# Split + restore of real-style low-rate mixtures: which observation model?',
    '',
    `\`npx tsx bench/engine/observation-model.ts --task separate --pairs ${pairsWanted} --seconds ${seconds} --preset ${preset}\` (${new Date().toISOString()}). ` +
      `Piano + voice mixtures of the eval clips (${seconds} s where both are active, equal RMS, peak 0.9), resampled to 8 kHz by libsamplerate ` +
      '(low-pass, then decimate), separated and restored to 16 kHz; seed 1. SI-SDR (dB, higher is better) of each stem against its 16 kHz truth, piano / voice.',
    '',
    `| piano clip | voice clip | ${methods.join(' | ')} |`,
    `|---|---|${methods.map(() => '---').join('|')}|`,
  ];
  for (const [pc, vc] of pairs) {
    const cells = methods.map((m) => {
      const r = rows.find((q) => q.piano === pc.name && q.voice === vc.name && q.method === m)!;
      return `${r.pianoSiSdr.toFixed(2)} / ${r.voiceSiSdr.toFixed(2)}`;
    });
    lines.push(`| ${pc.name} | ${vc.name} | ${cells.join(' | ')} |`);
  }
  const avg = (m: string) => {
    const rs = rows.filter((r) => r.method === m);
    const [a, b] = [mean(rs.map((r) => r.pianoSiSdr)), mean(rs.map((r) => r.voiceSiSdr))];
    return `**${a.toFixed(2)} / ${b.toFixed(2)} (all ${((a + b) / 2).toFixed(2)})**`;
  };
  lines.push(`| **mean** | | ${methods.map(avg).join(' | ')} |`, '');
  const wall = (m: string) => rows.filter((r) => r.method === m).reduce((a, r) => a + (r.wallS ?? 0), 0);
  lines.push(`Engine wall time, all pairs: decimation model ${wall('PnF, decimation model').toFixed(0)} s, low-pass model ${wall('PnF, low-pass model').toFixed(0)} s.`, '');
  writeResults({ seconds, rows }, lines.join('\n'));
}

(task === 'separate' ? separateMain() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
