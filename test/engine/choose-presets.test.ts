import { describe, it, expect } from 'vitest';
import { choosePresets, type CurveRow } from '../../bench/engine/choose-presets';

const row = (L: number, S: number, eta: number, mean: number): CurveRow => ({ L, S, eta, mean });

describe('choosePresets (bench.ts --curve --write-presets)', () => {
  it('one step size: the best setting within each budget, more steps only for 0.01 dB more', () => {
    const rows = [row(2, 2, 0.05, 14.26), row(2, 5, 0.05, 14.3), row(4, 5, 0.05, 14.305), row(4, 10, 0.05, 14.317), row(8, 20, 0.05, 14.29)];
    expect(choosePresets(rows, 0.05)).toEqual({
      draft: { levels: 2, stepsPerLevel: 5 },
      standard: { levels: 4, stepsPerLevel: 10 },
      best: { levels: 4, stepsPerLevel: 10 },
    });
  });

  it('two step sizes (session 13, voice 4 s excerpts): draft keeps the task\'s step, standard and best take the long one', () => {
    const rows = [
      row(2, 5, 0.05, 13.77 + 0.13), row(4, 10, 0.05, 13.77 + 0.17),
      row(4, 2, 1, 13.77 + 0.05), row(2, 5, 1, 13.77 - 0.91), row(4, 5, 1, 13.77 + 0.13), row(4, 10, 1, 13.77 + 0.26),
    ];
    expect(choosePresets(rows, 0.05)).toEqual({
      draft: { levels: 2, stepsPerLevel: 5 },
      standard: { levels: 4, stepsPerLevel: 10, etaScale: 1 },
      best: { levels: 4, stepsPerLevel: 10, etaScale: 1 },
    });
  });

  it('another step size at the same cost must gain 0.01 dB; a tie keeps the task\'s step; rows may come in any order', () => {
    expect(choosePresets([row(4, 10, 1, 14.005), row(4, 10, 0.05, 14.0)], 0.05).standard).toEqual({ levels: 4, stepsPerLevel: 10 });
    expect(choosePresets([row(4, 10, 1, 14.02), row(4, 10, 0.05, 14.0)], 0.05).standard).toEqual({ levels: 4, stepsPerLevel: 10, etaScale: 1 });
    // the task's step is 1 here, so a chosen 0.05 is the one written out
    expect(choosePresets([row(2, 5, 1, 13.0), row(2, 5, 0.05, 14.0)], 1).draft).toEqual({ levels: 2, stepsPerLevel: 5, etaScale: 0.05 });
  });

  it('a budget with no measured setting gets no preset (the card\'s schedule multiple applies)', () => {
    expect(choosePresets([row(8, 10, 0.05, 14)], 0.05)).toEqual({ best: { levels: 8, stepsPerLevel: 10 } });
  });
});
