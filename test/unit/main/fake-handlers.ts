import type { Handlers } from '../../../src-main/ipc/dispatch';
import { CHANNELS } from '../../../src-shared/ipc/channels';

/** Handlers that fail loudly unless a test provides them. */
export function fakeHandlers(overrides: Partial<Handlers>): Handlers {
  const all = {} as Record<string, unknown>;
  for (const ch of Object.values(CHANNELS)) {
    all[ch] = async () => {
      throw new Error(`handler ${ch} not provided by this test`);
    };
  }
  return { ...(all as unknown as Handlers), ...overrides };
}

export const noCtx = { emit: () => {} };
