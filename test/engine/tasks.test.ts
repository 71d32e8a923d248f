import { describe, it, expect, afterAll } from 'vitest';
import { resolve } from 'node:path';
import { ModelSet, runJob, runJobWithEvents, chunkSpans, validateRequest, divisorFactor, planSchedule, softStepPlan } from '../../src-main/engine/tasks';
import { GaussianArPrior } from '../../src-main/engine/analytic-prior';
import { splineUpsample } from '../../src-main/engine/baselines';
import { readFileSync } from 'node:fs';
import { CardSchema, type ModelCard } from '../../src-main/engine/prior';
import type { EngineProgress } from '../../src-shared/engine/progress';
import { checkMonotonic } from '../../src-shared/engine/progress';
import { wholeTrack, type JobRequest } from '../../src-shared/engine/jobs';
import { codeOf } from './coded';

const TINY = resolve(__dirname, '../fixtures/models/tiny.json');
const models = new ModelSet({ model: TINY, device: 'cpu', threads: 1 });
afterAll(() => models.dispose());

const tone = (n: number, rate: number, f = 220, amp = 0.3) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / rate));
const fast = { preset: 'draft' as const, levels: 2, steps: 3, seed: 5 };


describe('tasks on the tiny model', () => {
  it('separate: stems sum to the mixture (clip rate 22050, stereo), reports filled, events monotonic', async () => {
    const n = 22050 / 5;
    const L = tone(n, 22050, 220);
    const R = tone(n, 22050, 330);
    const events: EngineProgress[] = [];
    const res = await runJobWithEvents({ kind: 'separate', audio: { sampleRate: 22050, channels: [L, R] }, ...fast }, { priors: models, jobId: 'j1', emit: (e) => events.push(e) });
    expect(res).not.toBeNull();
    expect(checkMonotonic(events)).toBeNull();
    expect(events.at(-1)!.status).toBe('done');
    expect(events.some((e) => e.status === 'preview')).toBe(true);
    const { piano, voice } = res!.tracks;
    expect(res!.sampleRate).toBe(22050);
    for (const [c, m] of [L, R].entries()) {
      let num = 0, den = 0;
      for (let i = 0; i < n; i++) {
        num += (piano![c]![i]! + voice![c]![i]! - m[i]!) ** 2;
        den += m[i]! ** 2;
      }
      expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
    }
    expect(res!.reports.map((r) => r.track)).toEqual(['piano', 'voice']);
    expect(Number.isFinite(res!.reports[0]!.meanLogpOutput!)).toBe(true);
    expect(res!.device).toBe('cpu');
  });

  it('lengths that do not divide the model rate come out exact: stems as long as the mix, upsampled as long as asked, a fill up to the last frame', async () => {
    // 44101 frames at 44.1 kHz: 16000 Hz and back rounds to 44102 (before: stems one frame long)
    const mix = tone(44101, 44100, 220);
    const sep = await runJob({ kind: 'separate', audio: { sampleRate: 44100, channels: [mix] }, ...fast }, { priors: models });
    for (const stem of ['piano', 'voice']) expect(sep.tracks[stem]![0]!.length, stem).toBe(44101);
    for (let i = 0; i < mix.length; i++) if (Math.abs(sep.tracks.piano![0]![i]! + sep.tracks.voice![0]![i]! - mix[i]!) > 1e-6) throw new Error(`stems do not sum to the mix at ${i}`);
    // 11026 frames at 11025 Hz, x2 (through 8 kHz and the model rate): exactly 22052 (was 22053)
    const low = tone(11026, 11025, 300);
    const up = await runJob({ kind: 'upsample', audio: { sampleRate: 11025, channels: [low] }, factor: 2, ...fast }, { priors: models });
    expect(up.tracks.audio![0]!.length).toBe(22052);
    // a fill over the clip's last frames at 44.1 kHz fills them all (the last ones were left as they were)
    const clicked = tone(44101, 44100, 220);
    clicked.fill(0.99, 44090);
    const fill = await runJob({ kind: 'inpaint', audio: { sampleRate: 44100, channels: [clicked] }, regions: [{ start: 0.99, end: 44101 / 44100 }], ...fast }, { priors: models });
    const whole = wholeTrack(fill, 'alt1', [clicked])[0]!;
    expect(whole.length).toBe(44101);
    expect(Array.from(whole.subarray(44090)).filter((v) => v === 0.99 || Math.abs(v - 0.99) < 1e-6)).toEqual([]);
    // a region inside the very last input frame is filled, not refused with the model's frame numbers
    const last = await runJob({ kind: 'inpaint', audio: { sampleRate: 44100, channels: [clicked] }, regions: [{ start: 1.00001, end: 44101 / 44100 }], ...fast }, { priors: models });
    expect(wholeTrack(last, 'alt1', [clicked])[0]![44100]).not.toBe(Math.fround(0.99));
  });

  it('upsample x4 from 4 kHz keeps every 4th sample; targetRate works; same seed same output', async () => {
    const y = tone(800, 4000, 300);
    const r1 = await runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [y] }, factor: 4, ...fast }, { priors: models });
    const r2 = await runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [y] }, targetRate: 16000, ...fast }, { priors: models });
    const out = r1.tracks.audio![0]!;
    expect(out.length).toBe(3200);
    for (let j = 0; j < y.length; j++) expect(out[4 * j]).toBe(y[j]);
    expect(Array.from(out)).toEqual(Array.from(r2.tracks.audio![0]!));
    expect(r1.reports[0]!.snrVsBaselineDb).toBeGreaterThan(0);
    const lp = await runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [y] }, factor: 4, lowpass: true, ...fast }, { priors: models });
    expect(lp.tracks.audio![0]!.length).toBe(3200);
  });

  it('level-weighted upsampling: quiet passages and a quieter channel move less than with a fixed step; observed samples kept', async () => {
    // stereo at 4 kHz (the tiny model's 16 kHz / 4): the left loud, then 26 dB down; the right a tenth of the left
    const n = 1600;
    const left = Float32Array.from(tone(n, 4000, 300), (v, i) => v * (i < n / 2 ? 1 : 0.05));
    const right = Float32Array.from(left, (v) => v * 0.1);
    const job = (levelPower?: number) =>
      runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [left, right] }, factor: 4, ...fast, ...(levelPower !== undefined ? { levelPower } : {}) }, { priors: models });
    const [fixed, weighted, zero] = [await job(), await job(1), await job(0)];
    expect(Array.from(zero.tracks.audio![0]!)).toEqual(Array.from(fixed.tracks.audio![0]!)); // 0: a fixed step
    expect(weighted.notes.join(' ')).toContain("weighted by the clip's own level");
    const splines = [left, right].map((lo) => splineUpsample(lo, 4, 4 * n));
    /** RMS move from the spline over output samples [a, b). */
    const moved = (r: typeof fixed, c: number, a: number, b: number) => {
      const out = r.tracks.audio![c]!;
      let m = 0;
      for (let i = a; i < b; i++) m += (out[i]! - splines[c]![i]!) ** 2;
      return Math.sqrt(m / (b - a));
    };
    const ratio = (c: number, a: number, b: number) => moved(weighted, c, a, b) / moved(fixed, c, a, b);
    const loud = [400, 2800] as const, quiet = [3600, 6000] as const; // away from the 50 ms around the change
    expect(moved(fixed, 0, ...quiet)).toBeGreaterThan(0);
    // (the tiny model samples at temperature 1, so the moves are mostly its noise: sqrt(w) as large)
    expect(ratio(0, ...loud)).toBeGreaterThan(0.6); // the loudest passage keeps (about) its step
    expect(ratio(0, ...quiet)).toBeLessThan(0.35); // sqrt(0.05) = 0.22
    expect(ratio(1, ...loud)).toBeLessThan(0.45); // the quieter channel too, sqrt(0.1) = 0.32: one loudest level for both
    for (const [c, lo] of [left, right].entries()) {
      const out = weighted.tracks.audio![c]!;
      for (let j = 0; j < lo.length; j++) expect(out[4 * j]).toBe(lo[j]);
    }
    expect(() => validateRequest({ kind: 'upsample', audio: { sampleRate: 4000, channels: [left] }, factor: 4, levelPower: -1 })).toThrow(/levelPower/);
  });

  it('inpaint: n alternatives, samples outside the gap exactly as given (44.1 kHz)', async () => {
    const rate = 44100;
    const x = tone(rate / 4, rate, 440);
    const res = await runJob({ kind: 'inpaint', audio: { sampleRate: rate, channels: [x] }, regions: [{ start: 0.1, end: 0.12 }, { start: 0.15, end: 0.16 }], alternatives: 3, ...fast }, { priors: models });
    expect(Object.keys(res.tracks)).toEqual(['alt1', 'alt2', 'alt3']);
    const a0 = Math.floor(0.1 * rate), b0 = Math.ceil(0.12 * rate);
    const a1 = Math.floor(0.15 * rate), b1 = Math.ceil(0.16 * rate);
    // the result holds the gaps with 10 ms either side, placed at res.offset
    expect(res.offset).toBe(a0 - Math.ceil(0.01 * rate));
    expect(res.tracks.alt1![0]!.length).toBe(b1 + Math.ceil(0.01 * rate) - res.offset!);
    for (const name of Object.keys(res.tracks)) {
      const y = wholeTrack(res, name, [x])[0]!;
      expect(y.length).toBe(x.length);
      let changed = 0;
      for (let i = 0; i < x.length; i++) {
        const inGap = (i >= a0 && i < b0) || (i >= a1 && i < b1);
        if (!inGap) expect(y[i]).toBe(x[i]);
        else if (y[i] !== x[i]) changed++;
      }
      expect(changed).toBeGreaterThan(0.9 * (b0 - a0 + b1 - a1));
    }
    const d = res.tracks.alt1![0]!.some((v, i) => v !== res.tracks.alt2![0]![i]);
    expect(d).toBe(true);
  });

  it('generate (PnF) and ancestral', async () => {
    const g = await runJob({ kind: 'generate', seconds: 0.05, ...fast }, { priors: models });
    expect(g.tracks.audio![0]!.length).toBe(800);
    const a = await runJob({ kind: 'generate', seconds: 0.002, ancestral: true, seed: 1 }, { priors: models });
    expect(a.tracks.audio![0]!.length).toBe(32);
    expect(a.tracks.audio![0]!.every(Number.isFinite)).toBe(true);
    // too short to generate anything is refused, as for PnF generation (it wrote an empty file)
    for (const ancestral of [false, true]) {
      await expect(runJob({ kind: 'generate', seconds: 0.00001, ancestral, seed: 1 }, { priors: models })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('too short') });
    }
  });

  it('reports are scored under the job signal: a cancel while scoring stops at once', async () => {
    const { meanLogp } = await import('../../src-main/engine/sampler');
    const prior = await models.get('piano');
    const ac = new AbortController();
    ac.abort();
    await expect(meanLogp(prior, tone(8000, 16000), 0.01, undefined, undefined, ac.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Number.isFinite(await meanLogp(prior, tone(8000, 16000), 0.01))).toBe(true);
  });

  it('upsampling factor never throws input away when it can avoid it', () => {
    expect(divisorFactor(16000, 4000)).toBe(4);
    expect(divisorFactor(16000, 8000)).toBe(2);
    expect(divisorFactor(16000, 5000)).toBe(2); // 5000 -> 8000 (up), not 4000 (down)
    expect(divisorFactor(16000, 11025)).toBe(2); // above 8 kHz: k = 2 with a note
  });

  it('long inputs are chunked with overlap; chunk spans cover the clip', () => {
    const sp = chunkSpans(100, 30, 5, 1);
    expect(sp.map((s) => [s.a, s.b])).toEqual([[0, 30], [30, 60], [60, 90], [90, 100]]);
    expect(sp[1]).toMatchObject({ s: 25, e: 65 });
  });

  it('chunked separation still sums to the mixture', async () => {
    const m = tone(16000 * 0.3, 16000, 200);
    const r = await runJob({ kind: 'separate', audio: { sampleRate: 16000, channels: [m] }, ...fast }, { priors: models, chunkSeconds: 0.1, overlapSeconds: 0.01 });
    const p = r.tracks.piano![0]!, v = r.tracks.voice![0]!;
    let err = 0;
    for (let i = 0; i < m.length; i++) err = Math.max(err, Math.abs(p[i]! + v[i]! - m[i]!));
    expect(err).toBeLessThan(1e-5);
  });

  it('separate a low-rate mixture and restore it (decimation and sum composed): decimate(piano + voice) == mixture, stems at the target rate', async () => {
    const m = Float32Array.from(tone(1600, 4000, 300), (v, i) => v + tone(1600, 4000, 520, 0.2)[i]!);
    const events: EngineProgress[] = [];
    const res = await runJobWithEvents({ kind: 'separate', audio: { sampleRate: 4000, channels: [m] }, targetRate: 16000, ...fast }, { priors: models, jobId: 'lr', emit: (e) => events.push(e), chunkSeconds: 0.15, overlapSeconds: 0.02 });
    expect(checkMonotonic(events)).toBeNull();
    expect(events.some((e) => e.status === 'preview')).toBe(true);
    const { piano, voice } = res!.tracks;
    expect(res!.sampleRate).toBe(16000);
    expect(piano![0]!.length).toBe(6400);
    let num = 0, den = 0, between = 0;
    for (let j = 0; j < m.length; j++) {
      num += (piano![0]![4 * j]! + voice![0]![4 * j]! - m[j]!) ** 2;
      den += m[j]! ** 2;
      between += Math.abs(piano![0]![4 * j + 1]!);
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-3);
    expect(between).toBeGreaterThan(0); // the samples between the observed ones were synthesised
    expect(res!.reports[0]!.baseline).toMatch(/upsampled mixture/);
    // low-pass observation model: runs, right length; the same seed gives the same stems
    const lp = { kind: 'separate' as const, audio: { sampleRate: 4000, channels: [m] }, targetRate: 16000, lowpass: true, ...fast };
    const a = await runJob(lp, { priors: models });
    const b = await runJob(lp, { priors: models });
    expect(a.tracks.voice![0]!.length).toBe(6400);
    expect(Array.from(a.tracks.voice![0]!)).toEqual(Array.from(b.tracks.voice![0]!));
    // a target above the model rate: stems resampled to it, with a note saying nothing is synthesised above 8 kHz
    const hi = await runJob({ kind: 'separate', audio: { sampleRate: 4000, channels: [m] }, targetRate: 22050, ...fast }, { priors: models });
    expect(hi.sampleRate).toBe(22050);
    expect(hi.tracks.piano![0]!.length).toBe(Math.round((6400 * 22050) / 16000));
    expect(hi.notes.join(' ')).toMatch(/nothing is synthesised above 8000 Hz/);
  });

  it('presets: card schedule multiples by default; measured card presets win; explicit steps/levels win over both', () => {
    const p = new GaussianArPrior(0.9, 0.01, { schedule: { levels: 8, stepsPerLevel: 20 } });
    const plan = (preset: 'draft' | 'standard' | 'best', extra = {}) => planSchedule(p, { kind: 'generate', seconds: 1, preset, ...extra }, null).schedule;
    expect([plan('draft'), plan('standard'), plan('best')].map((s) => [s.levels, s.stepsPerLevel])).toEqual([[4, 5], [8, 20], [8, 40]]);
    const measured = Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { levels: 8, stepsPerLevel: 20 } }), {
      card: { presets: { draft: { levels: 2, stepsPerLevel: 2 }, best: { levels: 4, stepsPerLevel: 10 } } } as unknown as ModelCard,
    });
    const mplan = (preset: 'draft' | 'standard' | 'best', extra = {}) => planSchedule(measured, { kind: 'generate', seconds: 1, preset, ...extra }, null).schedule;
    expect([mplan('draft'), mplan('standard'), mplan('best')].map((s) => [s.levels, s.stepsPerLevel])).toEqual([[2, 2], [8, 20], [4, 10]]);
    expect([mplan('best', { steps: 3 }).levels, mplan('best', { steps: 3 }).stepsPerLevel]).toEqual([4, 3]);
  });

  it('temperature: the card\'s measured temperature for the task, else 1 (posterior sampling)', () => {
    const warm = Object.assign(new GaussianArPrior(0.9, 0.01), { card: { temperature: { upsample: 0 }, warmStart: { upsample: 0.002 } } as unknown as ModelCard });
    const t = (task: 'upsample' | 'inpaint' | 'separate' | null) => planSchedule(warm, { kind: 'generate', seconds: 1 }, task).temperature;
    expect([t('upsample'), t('inpaint'), t('separate'), t(null)]).toEqual([0, 1, 1, 1]);
    expect(planSchedule(new GaussianArPrior(0.9, 0.01), { kind: 'generate', seconds: 1 }, 'upsample').temperature).toBe(1);
  });

  it('step size: the card\'s taskEtaScale for the task, else the schedule\'s etaScale', () => {
    const p = Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { etaScale: 0.05 } }), { card: { taskEtaScale: { separate: 2 } } as unknown as ModelCard });
    const eta = (task: 'upsample' | 'inpaint' | 'separate' | null) => planSchedule(p, { kind: 'generate', seconds: 1 }, task).schedule.etaScale;
    expect([eta('separate'), eta('upsample'), eta('inpaint'), eta(null)]).toEqual([2, 0.05, 0.05, 0.05]);
    // a soft constraint (separating a low-pass-filtered low-rate mixture) keeps the schedule's small step
    expect(softStepPlan(planSchedule(p, { kind: 'generate', seconds: 1 }, 'separate'), p).schedule.etaScale).toBe(0.05);
  });

  it('step size: a preset\'s own measured etaScale wins over the task\'s and the schedule\'s, for that preset and task only', () => {
    const p = Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { etaScale: 0.05 } }), {
      card: {
        taskEtaScale: { upsample: 0.5 },
        taskPresets: { upsample: { draft: { levels: 2, stepsPerLevel: 5 }, best: { levels: 4, stepsPerLevel: 10, etaScale: 1 } } },
      } as unknown as ModelCard,
    });
    const eta = (task: 'upsample' | 'inpaint' | null, preset: 'draft' | 'standard' | 'best', extra = {}) =>
      planSchedule(p, { kind: 'generate', seconds: 1, preset, ...extra }, task).schedule.etaScale;
    expect([eta('upsample', 'best'), eta('upsample', 'draft'), eta('upsample', 'standard'), eta('inpaint', 'best'), eta(null, 'best')]).toEqual([1, 0.5, 0.5, 0.05, 0.05]);
    // explicit levels/steps keep the preset's step size (the caller changes how long, not how far each step goes)
    expect(eta('upsample', 'best', { steps: 3 })).toBe(1);
    // and the card schema takes it, rejecting a step that is not a positive number
    const tiny = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/models/tiny.json'), 'utf8')) as Record<string, unknown>;
    const card = (e: unknown) => CardSchema.safeParse({ ...tiny, taskPresets: { upsample: { best: { levels: 4, stepsPerLevel: 10, etaScale: e } } } }).success;
    expect([card(1), card(0), card(-1), card('1')]).toEqual([true, false, false, false]);
  });

  it('upsampling runs at the preset\'s measured step, but a low-pass (soft) observation keeps the schedule\'s stable one', async () => {
    const prior = Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { sigmaMax: 0.05, sigmaMin: 0.001, etaScale: 0.05 } }), {
      card: { taskPresets: { upsample: { standard: { levels: 2, stepsPerLevel: 3, etaScale: 1 } } }, temperature: { upsample: 0 }, warmStart: { upsample: 0.05 } } as unknown as ModelCard,
    });
    const env = { priors: { get: async () => prior } };
    const y = tone(400, 4000, 300);
    const job = (lowpass: boolean) => runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [y] }, factor: 4, preset: 'standard', lowpass }, env);
    const [plain, lp] = [await job(false), await job(true)];
    expect([plain.etaScale, lp.etaScale]).toEqual([1, 0.05]);
    expect([plain.levels, plain.stepsPerLevel]).toEqual([2, 3]);
    // (the long step was measured with the exact decimation only; for the soft observation the stability bound
    // etaScale * gamma * |A|^2 < 2 was worked out at the schedule's step, see softStepPlan)
    expect(lp.tracks.audio![0]!.every(Number.isFinite)).toBe(true);
  });

  it('task presets override the general presets for that task only, preset by preset', () => {
    const p = Object.assign(new GaussianArPrior(0.9, 0.01, { schedule: { levels: 8, stepsPerLevel: 20 } }), {
      card: {
        presets: { draft: { levels: 2, stepsPerLevel: 2 }, best: { levels: 2, stepsPerLevel: 2 } },
        taskPresets: { upsample: { best: { levels: 8, stepsPerLevel: 20 } } },
      } as unknown as ModelCard,
    });
    const s = (task: 'upsample' | 'inpaint', preset: 'draft' | 'best') => {
      const sch = planSchedule(p, { kind: 'generate', seconds: 1, preset }, task).schedule;
      return [sch.levels, sch.stepsPerLevel];
    };
    expect([s('upsample', 'best'), s('upsample', 'draft'), s('inpaint', 'best')]).toEqual([[8, 20], [2, 2], [2, 2]]);
  });

  it('cancellation -> cancelled event', async () => {
    const ac = new AbortController();
    const events: EngineProgress[] = [];
    const p = runJobWithEvents({ kind: 'generate', seconds: 0.5, steps: 1000, levels: 10 }, {
      priors: models, jobId: 'c', signal: ac.signal,
      emit: (e) => { events.push(e); if (e.status === 'running' && e.step >= 3) ac.abort(); },
    });
    expect(await p).toBeNull();
    expect(events.at(-1)!.status).toBe('cancelled');
  });

  it('bad inputs -> clear coded errors', async () => {
    const x = tone(1000, 16000);
    const run = (r: JobRequest) => codeOf(runJob(r, { priors: models }));
    expect(await run({ kind: 'separate', audio: { sampleRate: 16000, channels: [new Float32Array(0)] } })).toBe('EMPTY_FILE');
    expect(await run({ kind: 'separate', audio: { sampleRate: 16000, channels: [Float32Array.of(0, NaN)] } })).toBe('BAD_SAMPLES');
    expect(await run({ kind: 'separate', audio: { sampleRate: 16000, channels: [new Float32Array(5)] } })).toBe('BAD_REQUEST');
    expect(await run({ kind: 'inpaint', audio: { sampleRate: 16000, channels: [x] }, regions: [{ start: 0.05, end: 0.5 }] })).toBe('BAD_REQUEST');
    expect(await run({ kind: 'upsample', audio: { sampleRate: 4000, channels: [x] }, factor: 1 })).toBe('BAD_REQUEST');
    expect(await run({ kind: 'upsample', audio: { sampleRate: 4000, channels: [x] }, factor: 0 })).toBe('BAD_REQUEST');
    expect(await run({ kind: 'generate', seconds: 0.01, device: 'tpu' as never })).toBe('DEVICE_UNAVAILABLE');
    expect(await run({ kind: 'separate', audio: { sampleRate: 16000, channels: [x] }, targetRate: 44100 })).toBe('BAD_REQUEST'); // already at the model rate
    expect(await run({ kind: 'separate', audio: { sampleRate: 4000, channels: [x] }, targetRate: 4000 })).toBe('BAD_REQUEST');
    expect(await run({ kind: 'separate', audio: { sampleRate: 4000, channels: [x] }, lowpass: true })).toBe('BAD_REQUEST');
    expect(() => validateRequest({ kind: 'nope' } as never)).toThrowError(/Unknown job kind/);
    const noModels = new ModelSet({ modelDir: '/nonexistent' });
    expect(await codeOf(runJob({ kind: 'generate', seconds: 0.01 }, { priors: noModels }))).toBe('MODEL_INVALID');
  });
});

describe('modelRateSegment', () => {
  it('resamples only around a segment and matches resampling the whole channel', async () => {
    const { modelRateSegment } = await import('../../src-main/engine/tasks');
    const { resample } = await import('../../src-main/io/resample');
    const inRate = 44100;
    const M = 16000;
    const n = inRate * 4;
    let seed = 7;
    const sig = new Float32Array(n).map((_, i) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return 0.4 * Math.sin(i * 0.031) + 0.2 * Math.sin(i * 0.17) + 0.05 * (seed / 0x7fffffff - 0.5);
    });
    const whole = (await resample([sig], inRate, M))[0]!;
    const q = M / 100; // model-rate alignment (gcd 100): s * inRate / M is whole
    for (const [s, e] of [[0, 3000], [q * 50, q * 50 + 5000], [q * 300, whole.length]] as const) {
      const got = await modelRateSegment(sig, inRate, M, s, e, resample);
      expect(got.length).toBe(e - s);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - whole[s + i]!));
      expect(worst, `segment ${s}-${e}`).toBeLessThan(1e-4);
    }
    // same rate: a plain copy
    expect(await modelRateSegment(sig, M, M, 10, 20, resample)).toEqual(sig.slice(10, 20));
  });
});

describe('which prior a job uses', () => {
  // two priors with opposite spectra: a smooth AR(1) and a rough one
  const smooth = new GaussianArPrior(0.97, 1e-4, { schedule: { levels: 1, stepsPerLevel: 2, sigmaMax: 0.01, sigmaMin: 0.01 } });
  const rough = new GaussianArPrior(-0.9, 1e-4, { schedule: { levels: 1, stepsPerLevel: 2, sigmaMax: 0.01, sigmaMin: 0.01 } });
  const priors = (piano: unknown, voice: unknown) => ({
    get: async (s: 'piano' | 'voice') => {
      const p = s === 'piano' ? piano : voice;
      if (p instanceof Error) throw p;
      return p as GaussianArPrior;
    },
  });
  /** An AR(1) signal with coefficient a (seeded). */
  const ar = (a: number, n: number) => {
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.02;
    const x = new Float32Array(n);
    for (let i = 1; i < n; i++) x[i] = a * x[i - 1]! + rand();
    return x;
  };
  const fill = (x: Float32Array) => ({ kind: 'inpaint' as const, audio: { sampleRate: 16000, channels: [x] }, regions: [{ start: 0.2, end: 0.21 }], seed: 1 });

  it('with none named, uses the prior under which the audio itself is more likely, and says so', async () => {
    for (const [signal, expected, other] of [[ar(0.97, 8000), smooth, 'voice'], [ar(-0.9, 8000), rough, 'piano']] as const) {
      const res = await runJob(fill(signal), { priors: priors(smooth, rough) });
      expect(res.model).toEqual([expected.name]);
      const used = expected === smooth ? 'piano' : 'voice';
      expect(res.notes.join(' ')).toMatch(new RegExp(`Used the ${used} prior: this audio is more likely under it than under the ${other} prior`));
    }
    const up = await runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: [ar(0.97, 2000)] }, factor: 4, seed: 1 }, { priors: priors(rough, smooth) });
    expect(up.model).toEqual([smooth.name]); // (here the smooth prior is "voice")
  });

  it('says so when both priors rate the audio alike, instead of calling one more likely', async () => {
    const twin = new GaussianArPrior(0.97, 1e-4, { schedule: { levels: 1, stepsPerLevel: 2, sigmaMax: 0.01, sigmaMin: 0.01 } });
    const res = await runJob(fill(ar(0.97, 8000)), { priors: priors(smooth, twin) });
    expect(res.notes.join(' ')).toMatch(/the piano and voice priors rate this audio alike \([-0-9.]+ nats\/sample\), so either would do/);
    expect(res.notes.join(' ')).not.toMatch(/more likely under it/);
  });

  it('a named prior is used as named; a prior that cannot load is left out of the choice; none loading is an error', async () => {
    const named = await runJob({ ...fill(ar(0.97, 8000)), source: 'voice' }, { priors: priors(smooth, rough) });
    expect(named.model).toEqual([rough.name]);
    expect(named.notes.join(' ')).not.toMatch(/Used the/);
    const missing = await runJob(fill(ar(-0.9, 8000)), { priors: priors(smooth, new Error('no voice model')) });
    expect(missing.model).toEqual([smooth.name]);
    const none = runJob(fill(ar(-0.9, 8000)), { priors: priors(Object.assign(new Error('no piano model'), { code: 'MODEL_INVALID' }), new Error('no voice model')) });
    await expect(none).rejects.toThrow('no piano model');
  });
});
