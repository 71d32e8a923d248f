// Engine facts for `info` (devices, models, ORT version); no side effects on import.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableDevices, chooseDevice } from '../device';
import { defaultModelDir, listCards } from '../prior';
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
      presets: c.card ? (Object.fromEntries(PRESET_NAMES.map((p) => [p, presetSchedule(c.card!.schedule, c.card!.presets, p)])) as ModelInfo['presets']) : null,
      upsamplePresets: c.card
        ? (Object.fromEntries(PRESET_NAMES.map((p) => [p, presetSchedule(c.card!.schedule, measuredPresets(c.card, 'upsample'), p)])) as ModelInfo['upsamplePresets'])
        : null,
      separatePresets: c.card
        ? (Object.fromEntries(PRESET_NAMES.map((p) => [p, presetSchedule(c.card!.schedule, measuredPresets(c.card, 'separate'), p)])) as ModelInfo['separatePresets'])
        : null,
      error: c.error,
    })),
  };
}

