// Undo/redo as pure functions over immutable snapshots.
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
}

export const HISTORY_LIMIT = 200;

export function initHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/** Record a new state (drops the redo branch). Pushing the same object is a no-op. */
export function pushHistory<T>(h: History<T>, next: T, limit = HISTORY_LIMIT): History<T> {
  if (next === h.present) return h;
  const past = [...h.past, h.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: next, future: [] };
}

/**
 * Record `edit` applied to the present AND to every redo state, so the redo branch survives: for
 * an edit that does not depend on where the user is in the history (tracks a job or an import adds
 * when it finishes, which may be while the user has undone something). `fits` says whether a state
 * may hold the edit; when a redo state may not, the redo branch is dropped as in pushHistory.
 */
export function pushBesideFuture<T>(h: History<T>, edit: (s: T) => T, fits: (s: T) => boolean = () => true, limit = HISTORY_LIMIT): History<T> {
  const next = edit(h.present);
  if (next === h.present) return h;
  const future = h.future.every(fits) ? h.future.map(edit) : [];
  return { ...pushHistory(h, next, limit), future };
}

export function undo<T>(h: History<T>): History<T> {
  if (!h.past.length) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1]!, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (!h.future.length) return h;
  return { past: [...h.past, h.present], present: h.future[0]!, future: h.future.slice(1) };
}

export const canUndo = <T>(h: History<T>) => h.past.length > 0;
export const canRedo = <T>(h: History<T>) => h.future.length > 0;
