import { describe, it, expect } from 'vitest';
import { presetLabel } from '../../../src-renderer/lib/preset-label';

describe('presetLabel', () => {
  const general = { draft: 4, standard: 4, best: 4 };
  it('names the tasks whose own presets differ, and only those', () => {
    expect(presetLabel('draft', general, { draft: 10, standard: 20, best: 4 }, { draft: 10, standard: 20, best: 80 })).toBe('draft · 4 steps (upsample 10, split 10)');
    expect(presetLabel('best', general, { draft: 10, standard: 20, best: 4 }, { draft: 10, standard: 20, best: 80 })).toBe('best · 4 steps (split 80)');
    expect(presetLabel('standard', general, general, null)).toBe('standard · 4 steps');
  });
  it('is the bare name before the engine has said anything', () => {
    expect(presetLabel('draft', null, null, null)).toBe('draft');
  });
});
