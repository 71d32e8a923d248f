// Integration: every task on a real ../shared/eval clip with the SHIPPED priors at the draft preset.
// Skips (with a message) while resources/models has no piano + voice cards.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelSet, runJob } from '../../src-main/engine/tasks';
import { decodeAudioFile } from '../../src-main/io/decode';
import { wholeTrack } from '../../src-shared/engine/jobs';
import { splineUpsample } from '../../src-main/engine/baselines';

const MODELS = process.env['PNF_TEST_MODEL_DIR'] ?? resolve(__dirname, '../../resources/models');
const EVAL = ['/work/shared/eval', resolve(__dirname, '../../../shared/eval')].find((d) => existsSync(d)) ?? '';
const have = existsSync(join(MODELS, 'piano.json')) && existsSync(join(MODELS, 'voice.json'));
const clip = (kind: string) => {
  const d = join(EVAL, kind);
  const f = existsSync(d) ? readdirSync(d).filter((n) => /\.(wav|flac|mp3|ogg)$/.test(n)).sort()[0] : undefined;
  return f ? join(d, f) : null;
};
const piano = EVAL ? clip('piano') : null;
const voice = EVAL ? clip('voice') : null;
if (!have) console.warn(`integration: skipped, no shipped piano.json + voice.json in ${MODELS}`);

describe.skipIf(!have || !piano)('tasks with the shipped priors on eval clips (draft)', () => {
  const models = new ModelSet({ modelDir: MODELS });
  afterAll(() => models.dispose());
  const excerpt = async (path: string, seconds: number) => {
    const a = await decodeAudioFile(path);
    const n = Math.min(a.channels[0]!.length, Math.round(seconds * a.sampleRate));
    return { sampleRate: a.sampleRate, channels: a.channels.map((c) => c.slice(0, n)) };
  };

  it('inpaint a 100 ms gap', async () => {
    const a = await excerpt(piano!, 1);
    const r = await runJob({ kind: 'inpaint', audio: a, regions: [{ start: 0.5, end: 0.6 }], preset: 'draft' }, { priors: models });
    expect(wholeTrack(r, 'alt1', a.channels)[0]!.length).toBe(a.channels[0]!.length);
    expect(r.tracks.alt1![0]!.length).toBe(Math.ceil(0.6 * a.sampleRate) - Math.floor(0.5 * a.sampleRate) + 2 * Math.ceil(0.01 * a.sampleRate));
    expect(r.reports[0]!.snrVsBaselineDb).not.toBeNull();
  }, 600_000);

  it('upsample 4x', async () => {
    const a = await excerpt(piano!, 1);
    const { resample } = await import('../../src-main/io/resample');
    const low = await resample(a.channels, a.sampleRate, 4000);
    const r = await runJob({ kind: 'upsample', audio: { sampleRate: 4000, channels: low }, factor: 4, preset: 'draft' }, { priors: models });
    expect(r.sampleRate).toBe(16000);
    expect(r.tracks.audio![0]!.every(Number.isFinite)).toBe(true);
  }, 600_000);

  it('upsample 2x with the piano prior returns the cubic spline and says why (its card lists 4x, 8x and 16x only)', async () => {
    const a = await excerpt(piano!, 1);
    const { resample } = await import('../../src-main/io/resample');
    const low = [(await resample([a.channels[0]!], a.sampleRate, 8000))[0]!];
    const r = await runJob({ kind: 'upsample', audio: { sampleRate: 8000, channels: low }, factor: 2, source: 'piano', preset: 'draft' }, { priors: models });
    expect(r.notes.join(' ')).toMatch(/measured to improve on the cubic spline only at 4x, 8x and 16x \(not at 2x\), so the cubic spline is returned unchanged/);
    expect(Array.from(r.tracks.audio![0]!)).toEqual(Array.from(splineUpsample(low[0]!, 2, 2 * low[0]!.length)));
    expect(r.sampleUpdates).toBe(0);
  }, 600_000);

  it('separate a piano + voice mixture', async () => {
    const p = await excerpt(piano!, 1);
    const v = voice ? await excerpt(voice, 1) : p;
    const { resample } = await import('../../src-main/io/resample');
    const pv = (await resample([p.channels[0]!], p.sampleRate, 16000))[0]!;
    const vv = (await resample([v.channels[0]!], v.sampleRate, 16000))[0]!;
    const n = Math.min(pv.length, vv.length);
    const norm = (x: Float32Array) => { const m = x.reduce((a, b) => Math.max(a, Math.abs(b)), 1e-9); return x.map((u) => u / m); };
    const a = norm(pv.slice(0, n)), b = norm(vv.slice(0, n));
    const mix = a.map((u, i) => 0.45 * (u + b[i]!));
    const r = await runJob({ kind: 'separate', audio: { sampleRate: 16000, channels: [mix] }, preset: 'draft' }, { priors: models });
    const s = r.tracks.piano![0]!.map((u, i) => u + r.tracks.voice![0]![i]!);
    let e = 0, d = 0;
    for (let i = 0; i < n; i++) { e += (s[i]! - mix[i]!) ** 2; d += mix[i]! ** 2; }
    expect(Math.sqrt(e / d)).toBeLessThan(1e-3);
  }, 600_000);
});
