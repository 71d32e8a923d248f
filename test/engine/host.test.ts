import { describe, it, expect, afterAll } from 'vitest';
import { resolve } from 'node:path';
import { EngineHost } from '../../src-main/engine/host/host';
import type { EngineProgress } from '../../src-shared/engine/progress';
import { checkMonotonic } from '../../src-shared/engine/progress';

const TINY = resolve(__dirname, '../fixtures/models/tiny.json');
const host = new EngineHost({ model: TINY, modelDir: resolve(__dirname, '../fixtures/models'), device: 'cpu', threads: 1, maxOldSpaceMb: 256, log: () => undefined });
afterAll(() => host.dispose());

const gen = (seconds: number, steps = 2) => ({ kind: 'generate' as const, seconds, levels: 2, steps, seed: 3 });

describe('engine host (child process)', () => {
  it('runs a job: queued -> running/preview -> done, monotonic, result crosses the process boundary', async () => {
    const ev: EngineProgress[] = [];
    const job = host.submit(gen(0.05), (e) => ev.push(e));
    const last = await job.done;
    expect(last.status).toBe('done');
    expect(ev[0]!.status).toBe('queued');
    expect(checkMonotonic(ev)).toBeNull();
    if (last.status === 'done') {
      expect(last.result.tracks.audio![0]).toBeInstanceOf(Float32Array);
      expect(last.result.tracks.audio![0]!.length).toBe(800);
    }
  });

  it('a crash in the engine process fails that job with a message; the next job works', async () => {
    const crashed = await host.submit(gen(0.05, 50), () => undefined, { fault: 'crash' }).done;
    expect(crashed.status).toBe('failed');
    if (crashed.status === 'failed') {
      expect(crashed.code).toBe('ENGINE_FAILED');
      expect(crashed.message).toMatch(/stopped unexpectedly \(exit code 70\)/);
    }
    const next = await host.submit(gen(0.02), () => undefined).done;
    expect(next.status).toBe('done');
    expect(host.pids.length).toBeGreaterThanOrEqual(2);
  });

  it('out of memory in the engine fails the job; the next works', async () => {
    const oom = await host.submit(gen(0.05, 50), () => undefined, { fault: 'oom' }).done;
    expect(oom.status).toBe('failed');
    const next = await host.submit(gen(0.02), () => undefined).done;
    expect(next.status).toBe('done');
  });

  it('queue positions, cancel of a queued job and of the running job', async () => {
    const ev1: EngineProgress[] = [];
    let asked = false;
    const j1 = host.submit(gen(0.5, 5000), (e) => {
      ev1.push(e);
      // running events are throttled (20/s), so do not wait for one exact step
      if (e.status === 'running' && e.step >= 3 && !asked) {
        asked = true;
        j1.cancel();
      }
    });
    const ev2: EngineProgress[] = [];
    const j2 = host.submit(gen(0.02), (e) => ev2.push(e));
    const j3 = host.submit(gen(0.02), () => undefined);
    expect(ev2[0]).toMatchObject({ status: 'queued', position: 1 });
    j3.cancel();
    expect((await j3.done).status).toBe('cancelled');
    expect((await j1.done).status).toBe('cancelled');
    expect((await j2.done).status).toBe('done');
    const afterCancel = ev1.slice(ev1.findIndex((e) => e.status === 'running' && e.step >= 3) + 1).filter((e) => e.status === 'running');
    expect(afterCancel.length).toBeLessThan(5);
  });

  it('bad requests fail with the coded error rebuilt on this side', async () => {
    const r = await host.submit({ kind: 'upsample', audio: { sampleRate: 4000, channels: [new Float32Array(100)] }, factor: 1 }, () => undefined).done;
    expect(r).toMatchObject({ status: 'failed', code: 'BAD_REQUEST' });
    const info = await host.info();
    expect(info.devices).toContain('cpu');
    expect(info.models.map((m) => m.name)).toContain('tiny');
    const tiny = info.models.find((m) => m.name === 'tiny')!;
    expect(Object.keys(tiny.presets!)).toEqual(['draft', 'standard', 'best']);
    expect(tiny.presets!.draft.levels * tiny.presets!.draft.stepsPerLevel).toBeGreaterThan(0);
  });
});
