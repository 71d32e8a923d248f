// Which measured setting each preset runs (bench.ts --curve --write-presets): pure, so a test can pin it.
import type { PresetName } from '../../src-shared/engine/jobs';

/** Step budgets (levels x steps) of the presets: each preset is the best measured setting within its budget. */
export const PRESET_BUDGETS: Record<PresetName, number> = { draft: 10, standard: 40, best: 160 };
/** A costlier setting (more steps, another step size, start sigma or temperature) must gain at least this much mean SNR to be chosen. */
export const MIN_GAIN_DB = 0.01;

/** One setting of the quality-vs-steps curve (levels x steps at step size etaScale) and its mean SNR. */
export interface CurveRow {
  L: number;
  S: number;
  eta: number;
  mean: number;
}

export type ChosenPreset = { levels: number; stepsPerLevel: number; etaScale?: number };

/**
 * Each preset: the best row within its step budget. Rows are taken cheapest first, and at equal cost the
 * task's own step size (`taskEta`) first; a later row must gain at least MIN_GAIN_DB over the current pick.
 * A preset carries `etaScale` only where its step differs from the task's (else the task's applies).
 */
export function choosePresets(rows: CurveRow[], taskEta: number): Partial<Record<PresetName, ChosenPreset>> {
  const order = [...rows].sort((a, b) => a.L * a.S - b.L * b.S || Number(a.eta !== taskEta) - Number(b.eta !== taskEta));
  const presets: Partial<Record<PresetName, ChosenPreset>> = {};
  for (const preset of ['draft', 'standard', 'best'] as PresetName[]) {
    const within = order.filter((r) => r.L * r.S <= PRESET_BUDGETS[preset]);
    if (!within.length) continue;
    const best = within.reduce((a, b) => (b.mean > a.mean + MIN_GAIN_DB ? b : a));
    presets[preset] = { levels: best.L, stepsPerLevel: best.S, ...(best.eta !== taskEta ? { etaScale: best.eta } : {}) };
  }
  return presets;
}
