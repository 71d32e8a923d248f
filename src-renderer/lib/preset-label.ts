import type { PresetName } from '../../src-shared/engine/jobs';

export type StepsPerPreset = Record<PresetName, number> | null;

/**
 * The quality menu's label for a preset: its Langevin steps, and the steps of the tasks that run
 * their own measured presets (upsampling, splitting) where those differ, e.g.
 * "draft · 4 steps (upsample 10, split 10)".
 */
export function presetLabel(p: PresetName, general: StepsPerPreset, upsample: StepsPerPreset, split: StepsPerPreset): string {
  if (!general) return p;
  const own = [['upsample', upsample], ['split', split]] as const;
  const extra = own.filter(([, s]) => s && s[p] !== general[p]).map(([name, s]) => `${name} ${s![p]}`);
  return `${p} · ${general[p]} steps${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
