// Runs the quality evaluation end to end on a tiny subset with the tiny TEST model (random weights)
// and checks ONLY that the outputs are well formed: every table and row present, numbers finite,
// Markdown tables rectangular, PNG pictures valid. Never what the numbers are.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, runEval, pairOrder, makeMixture, loudestStart, TINY_CARD, type EvalResults, type EvalConfig } from '../../../bench/eval/eval';
import { readPngHeader } from '../../../src-main/io/png';

const evalDir = process.env['PNF_EVAL_DIR'] ?? '/work/shared/eval';
const haveData = existsSync(join(evalDir, 'piano')) && existsSync(join(evalDir, 'voice'));

/** Every block of consecutive lines starting with '|' is a table: header, separator, rows, same cell count. */
function checkMarkdownTables(md: string): number {
  const lines = md.split('\n');
  let tables = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || (i > 0 && lines[i - 1]!.startsWith('|'))) continue;
    const block: string[] = [];
    for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++) block.push(lines[j]!);
    const cells = (l: string) => l.split('|').length;
    expect(block.length, `table at line ${i + 1}`).toBeGreaterThanOrEqual(3);
    expect(block[1]).toMatch(/^\|(---\|)+$/);
    for (const l of block) expect(cells(l), l).toBe(cells(block[0]!));
    for (const l of block) expect(l, l).not.toMatch(/NaN|undefined|Infinity|null/);
    tables++;
  }
  return tables;
}

describe('mixing and excerpts', () => {
  it('mixture: trimmed to the shorter, equal RMS sources, peak 0.9, sources sum to the mixture', () => {
    const p = Float32Array.from({ length: 1000 }, (_, i) => 3 * Math.sin(i * 0.1));
    const v = Float32Array.from({ length: 800 }, (_, i) => 0.01 * Math.sin(i * 0.37));
    const m = makeMixture(p, v);
    expect(m.mix.length).toBe(800);
    const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, u) => s + u * u, 0) / x.length);
    expect(rms(m.p) / rms(m.v)).toBeCloseTo(1, 5);
    expect(Math.max(...m.mix.map(Math.abs))).toBeCloseTo(0.9, 5);
    for (let i = 0; i < 800; i += 97) expect(m.mix[i]).toBeCloseTo(m.p[i]! + m.v[i]!, 6);
  });

  it('loudestStart finds the loud stretch', () => {
    const x = new Float32Array(16000);
    for (let i = 9600; i < 12800; i++) x[i] = Math.sin(i);
    const s = loudestStart(x, 3200);
    expect(Math.abs(s - 9600)).toBeLessThanOrEqual(160);
    expect(loudestStart(x.subarray(0, 100), 3200)).toBe(0);
  });
});

describe('pairOrder', () => {
  it('yields every pair exactly once, changing both clips between neighbours when the counts are coprime', () => {
    for (const [P, V] of [[4, 5], [2, 2], [3, 6], [1, 3]] as const) {
      const o = pairOrder([...Array(P).keys()], [...Array(V).keys()]);
      expect(o.length).toBe(P * V);
      expect(new Set(o.map(([a, b]) => `${a},${b}`)).size).toBe(P * V);
    }
    const o = pairOrder([0, 1, 2, 3], [0, 1, 2, 3, 4]);
    for (let i = 1; i < o.length; i++) expect(o[i]![0] !== o[i - 1]![0] && o[i]![1] !== o[i - 1]![1]).toBe(true);
  });
});

describe('quick evaluation (tiny model, tiny subset)', () => {
  let res: EvalResults;
  let cfg: EvalConfig;
  beforeAll(async () => {
    // a missing data folder is a failure with a reason, never a silent skip
    if (!haveData) throw new Error(`the evaluation recordings are missing: expected ${evalDir}/piano and ${evalDir}/voice (the shared/ folder beside the repository)`);
    cfg = {
      ...defaultConfig('quick'),
      outDir: mkdtempSync(join(tmpdir(), 'pnf-eval-')),
      evalDir,
      model: TINY_CARD,
      levels: 1,
      steps: 1,
      sepSeconds: 0.25,
      srSeconds: 0.25,
      genSeconds: 0.01,
      genSettings: [[1, 1], [2, 1]],
      curveSettings: [[1, 1], [1, 2]],
      curveSeconds: 0.25,
      threads: 1,
      log: () => undefined,
    };
    res = await runEval(cfg);
  }, 120_000);

  it('writes results.md, results.json and the pictures', () => {
    const md = readFileSync(join(cfg.outDir, 'results.md'), 'utf8');
    for (const h of ['## 1. Source separation', '## 2. Super-resolution', '## 3. Inpainting', '## 4. Unconditional', '## 5. Quality vs steps', '## 6. Pictures']) expect(md).toContain(h);
    expect(md).toMatch(/commit `[0-9a-f]{40}`|commit `unknown`/);
    expect(checkMarkdownTables(md)).toBeGreaterThanOrEqual(7);
    const json = JSON.parse(readFileSync(join(cfg.outDir, 'results.json'), 'utf8')) as EvalResults;
    expect(json.separation.table.length).toBe(res.separation.table.length);
    expect(res.pictures.sort()).toEqual(['inpainting.png', 'separation.png', 'superres.png', 'unconditional.png']);
    for (const p of res.pictures) {
      const info = readPngHeader(new Uint8Array(readFileSync(join(cfg.outDir, p))));
      expect(info.width).toBeGreaterThan(100);
      expect(info.height).toBeGreaterThan(100);
    }
  });

  it('separation: PnF, mixture and oracle rows with finite numbers, and the paper rows', () => {
    expect(res.separation.table.map((r) => r.method)).toEqual(['PnF (this engine)', 'mixture (est = mixture)', 'oracle IRM (upper bound)']);
    for (const r of res.separation.table) {
      expect(r.n).toBe(1);
      for (const v of [r.all, r.piano, r.voice]) expect(Number.isFinite(v)).toBe(true);
    }
    expect(res.separation.paper.length).toBe(3);
  });

  it('super-resolution: every source x ratio x input x method, finite SNR and LSD', () => {
    for (const source of ['piano', 'voice']) {
      for (const ratio of [4, 8, 16]) {
        for (const input of ['decimate', 'lowpass']) {
          const rows = res.superres.table.filter((r) => r.source === source && r.ratio === ratio && r.input === input);
          expect(rows.map((r) => r.method)).toEqual(['linear', 'cubic spline', 'band-limited sinc', 'PnF (this engine)']);
          for (const r of rows) expect(Number.isFinite(r.snr) && Number.isFinite(r.lsd)).toBe(true);
        }
      }
    }
  });

  it('inpainting: every source x gap x method, finite gap SNR', () => {
    for (const source of ['piano', 'voice']) {
      for (const gap of [50, 100, 250, 500]) {
        const rows = res.inpainting.table.filter((r) => r.source === source && r.gapMs === gap);
        expect(rows.length).toBe(4);
        expect(rows.some((r) => r.method.startsWith('PnF'))).toBe(true);
        for (const r of rows) expect(Number.isFinite(r.snr)).toBe(true);
      }
    }
  });

  it('unconditional: real-audio reference, one PnF row per setting and an ancestral row per source', () => {
    for (const source of ['piano', 'voice']) {
      const rows = res.unconditional.table.filter((r) => r.source === source);
      expect(rows.filter((r) => r.method.startsWith('PnF')).map((r) => `${r.levels}x${r.steps}`)).toEqual(['1x1', '2x1']);
      expect(rows.some((r) => r.method.startsWith('real audio'))).toBe(true);
      expect(rows.some((r) => r.method.startsWith('ancestral'))).toBe(true);
      for (const r of rows) expect(Number.isFinite(r.bitsPerSample) && Number.isFinite(r.rms)).toBe(true);
    }
  });

  it('quality vs steps: three tasks x every setting, finite values', () => {
    const tasks = new Set(res.curves.table.map((r) => r.task.split(' (')[0]));
    expect([...tasks].sort()).toEqual(['inpainting 250 ms', 'separation', 'super-resolution x4 decimation']);
    expect(res.curves.table.filter((r) => r.task.includes('cold start')).length).toBe(cfg.curveSettings.length);
    expect(res.curves.table.length).toBe(3 * (cfg.curveSettings.length + 1) + cfg.curveSettings.length); // + one baseline row per task, + cold-start separation
    for (const r of res.curves.table) expect(Number.isFinite(r.value) && Number.isFinite(r.wallS)).toBe(true);
  });
});
