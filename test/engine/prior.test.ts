import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, readFile, copyFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPrior, checkParity, readParity, readCard, listCards, type OnnxPrior } from '../../src-main/engine/prior';
import { chooseDevice, availableDevices } from '../../src-main/engine/device';
import { planWindows, scoreWindows, runsOf } from '../../src-main/engine/sampler';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { CodedError } from '../../src-shared/ipc/result';
import { codeOf } from './coded';

const FIX = resolve(__dirname, '../fixtures/models');
const TINY = join(FIX, 'tiny.json');


describe('device selection', () => {
  it('auto picks an available device and reports it', () => {
    const c = chooseDevice('auto');
    expect(c.available).toContain('cpu');
    expect(c.available).toContain(c.device);
    expect(c.executionProviders.at(-1)).toBe('cpu');
  });
  it('unknown and unavailable devices list the available ones', () => {
    expect(() => chooseDevice('tpu')).toThrowError(/Unknown device "tpu".*cpu/);
    try {
      chooseDevice('coreml', { backends: [{ name: 'cpu', bundled: true }] });
      throw new Error('no throw');
    } catch (e) {
      expect((e as CodedError).code).toBe('DEVICE_UNAVAILABLE');
      expect((e as Error).message).toMatch(/provides: cpu/);
    }
  });
  it('not-bundled backends count only when installed; auto prefers a GPU', () => {
    expect(availableDevices([{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }])).toEqual(['cpu']);
    expect(chooseDevice('auto', { backends: [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }] }).device).toBe('dml');
    expect(chooseDevice('auto', { backends: [{ name: 'webgpu', bundled: true }, { name: 'cpu', bundled: true }] }).device).toBe('cpu');
  });
  it('rejects bad thread counts', () => {
    expect(() => chooseDevice('cpu', { threads: 0 })).toThrowError(/threads/);
  });
});

describe('tiny ONNX prior', () => {
  let prior: OnnxPrior;
  beforeAll(async () => {
    prior = await loadPrior(TINY, { device: 'cpu', threads: 1 });
  });
  afterAll(async () => prior?.dispose());

  it('loads, reports its device and reproduces its parity fixture within 1e-4', async () => {
    expect(prior.device).toBe('cpu');
    expect(prior.receptiveField).toBe(8);
    const rep = await checkParity(prior, await readParity(join(FIX, 'tiny.parity.json')));
    expect(rep.logpError).toBeLessThan(1e-4);
    expect(rep.gradError).toBeLessThan(1e-4);
  });

  it('gradient agrees with finite differences of sum(logp)', async () => {
    const T = 64;
    const x = new Float32Array(T);
    for (let t = 0; t < T; t++) x[t] = 0.3 * Math.sin(t * 0.37) + 0.05 * Math.cos(t * 1.3);
    for (const sigma of [0.3, 0.05]) {
      const sg = new Float32Array([sigma]);
      const { grad } = await prior.score(x, 1, T, sg);
      // central differences in float32 of a float32 graph: h ~ sigma/20, compare on a few positions
      const h = sigma / 20;
      const total = async (v: Float32Array) => (await prior.score(v, 1, T, sg)).logp.reduce((a, b) => a + b, 0);
      let maxErr = 0;
      let maxG = 0;
      for (const t of [1, 5, 17, 30, 44, 63]) {
        const xp = x.slice();
        const xm = x.slice();
        xp[t]! += h;
        xm[t]! -= h;
        const fd = ((await total(xp)) - (await total(xm))) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - grad[t]!));
        maxG = Math.max(maxG, Math.abs(grad[t]!));
      }
      expect(maxErr / maxG).toBeLessThan(2e-2);
    }
  });

  it('windowed evaluation with receptive-field context equals whole-clip evaluation', async () => {
    const n = 300;
    const x = new Float32Array(n);
    for (let t = 0; t < n; t++) x[t] = 0.4 * Math.sin(t * 0.21) * Math.cos(t * 0.013);
    const rf = prior.receptiveField;
    const full = await prior.score(Float32Array.from([...new Float32Array(rf), ...x]), 1, n + rf, new Float32Array([0.02]));
    const wins = planWindows(0, n, runsOf(null, n), rf, 37);
    const g = [new Float32Array(n)];
    const lp = [new Float32Array(n)];
    await scoreWindows([x], [{ prior, len: wins[0]!.len, wins: wins.filter((w) => w.len === wins[0]!.len) }], 0.02, 3, g, lp);
    let err = 0;
    for (let t = 0; t < n; t++) err = Math.max(err, Math.abs(g[0]![t]! - full.grad[t + rf]!) / (1 + Math.abs(full.grad[t + rf]!)));
    expect(err).toBeLessThan(1e-4);
  });
});

describe('analytic Gaussian prior windows', () => {
  it('windowed gradient equals whole-clip gradient for AR(1)', async () => {
    const p = new GaussianArPrior(0.9, 0.01);
    const n = 101;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const full = await p.score(Float32Array.from([0, ...x]), 1, n + 1, new Float32Array([0.1]));
    const wins = planWindows(0, n, [[0, n]], 1, 10);
    const g = [new Float32Array(n)];
    await scoreWindows([x], [{ prior: p, len: 12, wins }], 0.1, 4, g, null);
    for (let t = 0; t < n; t++) expect(g[0]![t]!).toBeCloseTo(full.grad[t + 1]!, 4);
  });
});

describe('model validation errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pnf-model-'));
  });

  it('corrupt ONNX file -> MODEL_INVALID with a clear message', async () => {
    await copyFile(TINY, join(dir, 'c.json'));
    const card = JSON.parse(await readFile(TINY, 'utf8'));
    card.onnx = 'c.onnx';
    card.parity = 'tiny.parity.json';
    await writeFile(join(dir, 'c.json'), JSON.stringify(card));
    const bytes = await readFile(join(FIX, 'tiny.onnx'));
    await writeFile(join(dir, 'c.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await copyFile(join(FIX, 'tiny.parity.json'), join(dir, 'tiny.parity.json'));
    await expect(loadPrior(join(dir, 'c.json'))).rejects.toThrowError(/c\.json: ONNX Runtime could not load c\.onnx/);
    expect(await codeOf(loadPrior(join(dir, 'c.json')))).toBe('MODEL_INVALID');
  });

  it('missing ONNX file, malformed card and card/graph mismatch -> MODEL_INVALID', async () => {
    const card = JSON.parse(await readFile(TINY, 'utf8'));
    await writeFile(join(dir, 'm.json'), JSON.stringify({ ...card, onnx: 'nope.onnx' }));
    await expect(loadPrior(join(dir, 'm.json'))).rejects.toThrowError(/cannot read the ONNX graph nope\.onnx/);
    await writeFile(join(dir, 'b.json'), JSON.stringify({ ...card, receptiveField: -3 }));
    await expect(readCard(join(dir, 'b.json'))).rejects.toThrowError(/receptiveField/);
    await writeFile(join(dir, 'j.json'), '{"format": ');
    expect(await codeOf(readCard(join(dir, 'j.json')))).toBe('MODEL_INVALID');
    // a card whose parity fixture does not match the graph (e.g. a different model's card)
    const fx = JSON.parse(await readFile(join(FIX, 'tiny.parity.json'), 'utf8'));
    fx.grad = fx.grad.map((row: number[]) => row.map((v) => v * 1.5 + 1));
    await writeFile(join(dir, 'bad.parity.json'), JSON.stringify(fx));
    await copyFile(join(FIX, 'tiny.onnx'), join(dir, 'tiny.onnx'));
    await writeFile(join(dir, 'mm.json'), JSON.stringify({ ...card, parity: 'bad.parity.json' }));
    await expect(loadPrior(join(dir, 'mm.json'))).rejects.toThrowError(/does not reproduce its parity fixture/);
    const cards = await listCards(dir);
    expect(cards.find((c) => c.path.endsWith('b.json'))?.error).toMatch(/receptiveField/);
  });

  it('unknown device -> DEVICE_UNAVAILABLE', async () => {
    expect(await codeOf(loadPrior(TINY, { device: 'quantum' }))).toBe('DEVICE_UNAVAILABLE');
  });
});

describe('shipped models reproduce their parity fixtures', () => {
  const dir = resolve(__dirname, '../../resources/models');
  it('every resources/models/*.json (if any)', async () => {
    const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.endsWith('.parity.json')) : [];
    for (const n of names) {
      const p = await loadPrior(join(dir, n), { device: 'cpu', verifyParity: false });
      try {
        if (p.card.parity) {
          const rep = await checkParity(p, await readParity(join(dir, p.card.parity)));
          expect(rep.logpError, n).toBeLessThan(1e-4);
          expect(rep.gradError, n).toBeLessThan(1e-4);
        }
      } finally {
        await p.dispose();
      }
    }
  }, 300_000);
});
