// Engine facts for `info` (devices, models, ORT version); no side effects on import.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableDevices, chooseDevice } from '../device';
import { defaultModelDir, listCards, type ModelCard } from '../prior';
import type { EngineInfo, EngineOptions, ModelInfo } from './protocol';
import { measuredPresets, presetSchedule } from '../tasks';
import { PRESET_NAMES } from '../../../src-shared/engine/jobs';

export function ortVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    return JSON.parse(readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** Levels x steps each preset runs for a task (null: the general presets), as the tasks plan them. */
function presetsOf(card: ModelCard | null, task: 'upsample' | 'separate' | null): ModelInfo['presets'] {
  if (!card) return null;
  const measured = task ? measuredPresets(card, task) : card.presets;
  return Object.fromEntries(PRESET_NAMES.map((p) => [p, presetSchedule(card.schedule, measured, p)])) as ModelInfo['presets'];
}

export async function engineInfo(o: EngineOptions): Promise<EngineInfo> {
  const dir = o.modelDir ?? defaultModelDir();
  const cards = await listCards(dir);
  return {
    devices: availableDevices(),
    defaultDevice: chooseDevice('auto').device,
    modelDir: dir,
    onnxruntime: ortVersion(),
    models: cards.map((c) => ({
      path: c.path,
      name: c.card?.name ?? null,
      source: c.card?.source ?? null,
      sampleRate: c.card?.sampleRate ?? null,
      receptiveField: c.card?.receptiveField ?? null,
      presets: presetsOf(c.card, null),
      upsamplePresets: presetsOf(c.card, 'upsample'),
      separatePresets: presetsOf(c.card, 'separate'),
      error: c.error,
    })),
  };
}

