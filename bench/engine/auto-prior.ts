// Which prior a job uses when it names none, on the real recordings: does the engine pick the
// voice prior for speech and the piano prior for piano, and what would the other prior have
// given? For every eval clip: a 50 ms gap in its loudest second, filled (draft preset, one
// alternative, fixed seed) with the prior the engine picks, with piano and with voice; and 4x
// upsampling of that second the same three ways. Prints a table and writes bench/engine/auto-prior.md.
//
//   npx tsx bench/engine/auto-prior.ts [--eval-dir DIR]
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSet, runJob, loudestStretch } from '../../src-main/engine/tasks';
import { snr } from '../../src-shared/audio/metrics';
import { loadClips, DEFAULT_EVAL_DIR } from '../eval/eval';
import type { JobRequest } from '../../src-shared/engine/jobs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const i = process.argv.indexOf('--eval-dir');
const evalDir = i >= 0 ? process.argv[i + 1]! : DEFAULT_EVAL_DIR;
const RATE = 16000;

async function main() {
  const models = new ModelSet({ modelDir: join(ROOT, 'resources/models'), threads: 2 });
  const rows: string[] = [];
  const tally = { right: 0, all: 0 };
  const sums: Record<string, Record<string, number[]>> = { fill: { auto: [], piano: [], voice: [], label: [] }, up: { auto: [], piano: [], voice: [], label: [] } };
  for (const kind of ['piano', 'voice'] as const) {
    for (const clip of await loadClips(evalDir, kind, RATE)) {
      const sec = loudestStretch(clip.x, RATE).slice();
      const peak = sec.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
      for (let k = 0; k < sec.length; k++) sec[k] = (sec[k]! / peak) * 0.5;
      const a = Math.floor(0.475 * RATE);
      const b = Math.floor(0.525 * RATE);
      const holed = sec.slice();
      holed.fill(0, a, b);
      const low = sec.filter((_, k) => k % 4 === 0);
      const res: Record<string, { fill: number; up: number; model: string }> = {};
      for (const source of [undefined, 'piano', 'voice'] as const) {
        const common = { preset: 'draft' as const, seed: 1, ...(source ? { source } : {}) };
        const f = await runJob({ kind: 'inpaint', audio: { sampleRate: RATE, channels: [holed] }, regions: [{ start: a / RATE, end: b / RATE }], alternatives: 1, ...common } as JobRequest, { priors: models });
        const patch = f.tracks['alt1']![0]!;
        const off = f.offset ?? 0;
        const u = await runJob({ kind: 'upsample', audio: { sampleRate: RATE / 4, channels: [low] }, factor: 4, ...common } as JobRequest, { priors: models });
        res[source ?? 'auto'] = { fill: snr(sec.subarray(a, b), patch.subarray(a - off, b - off)), up: snr(sec, u.tracks['audio']![0]!), model: f.model[0]! };
      }
      const picked = res['auto']!.model;
      tally.all++;
      if (picked === kind) tally.right++;
      for (const t of ['fill', 'up'] as const) {
        for (const w of ['auto', 'piano', 'voice'] as const) sums[t]![w]!.push(res[w]![t]);
        sums[t]!['label']!.push(res[kind]![t]);
      }
      rows.push(`| ${kind} | ${clip.name} | ${picked} | ${res['auto']!.fill.toFixed(2)} | ${res['piano']!.fill.toFixed(2)} | ${res['voice']!.fill.toFixed(2)} | ${res['auto']!.up.toFixed(2)} | ${res['piano']!.up.toFixed(2)} | ${res['voice']!.up.toFixed(2)} |`);
      console.log(rows.at(-1));
    }
  }
  await models.dispose();
  const m = (xs: number[]) => (xs.reduce((s, v) => s + v, 0) / xs.length).toFixed(2);
  const md = [
    '# Which prior: the engine\'s own choice on the real recordings',
    '',
    `Command: \`npx tsx bench/engine/auto-prior.ts\`. Date: ${new Date().toISOString()}. Priors: resources/models (piano, voice).`,
    'Each clip: its loudest second at 16 kHz, peak 0.5. Fill: a 50 ms gap in the middle, draft preset, 1 alternative, seed 1, SNR inside the gap (dB).',
    'Upsample: every 4th sample kept (4 kHz) and upsampled x4, draft preset, SNR over the second (dB). "auto" is a job that names no prior.',
    '',
    `The engine picked the recording's own kind for **${tally.right} of ${tally.all}** clips.`,
    '',
    '| kind | clip | picked | fill auto | fill piano | fill voice | up x4 auto | up x4 piano | up x4 voice |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    `| **mean** | | | ${m(sums['fill']!['auto']!)} | ${m(sums['fill']!['piano']!)} | ${m(sums['fill']!['voice']!)} | ${m(sums['up']!['auto']!)} | ${m(sums['up']!['piano']!)} | ${m(sums['up']!['voice']!)} |`,
    '',
    `With the prior of each recording's own kind (what a user choosing by hand would pick): fill ${m(sums['fill']!['label']!)} dB, upsample ${m(sums['up']!['label']!)} dB. Before this choice existed the editor always used the piano prior (the "piano" columns).`,
    '',
  ].join('\n');
  writeFileSync(join(HERE, 'auto-prior.md'), md);
  console.log(md);
}

void main();
