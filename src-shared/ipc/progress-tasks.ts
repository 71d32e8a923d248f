// The list of long main-side tasks the renderer shows (exports, imports), built from
// ProgressEvents. Pure, so the rules are tested without a UI (test/unit/shared).
import type { ProgressEvent } from './contract';
import { formatBytes } from '../audio/format';

export interface TaskList {
  tasks: ProgressEvent[];
  /** Ids that have ended: late events for them are dropped, so an ended task never comes back. */
  ended: ReadonlySet<string>;
}

export const emptyTasks = (): TaskList => ({ tasks: [], ended: new Set() });

/** The label of an import's progress row, on both sides: `Opening "take.wav" (42 MB): decoding…`. */
export function openingLabel(name: string, bytes: number | null, stage: string): string {
  return `Opening "${name}"${bytes !== null ? ` (${formatBytes(bytes)})` : ''}: ${stage}…`;
}

/** Apply one event: update (fraction never decreases), add, or remove the task when done. */
export function applyProgress(list: TaskList, e: ProgressEvent): TaskList {
  if (list.ended.has(e.id)) return list;
  if (e.done) return endTask(list, e.id);
  const prev = list.tasks.find((t) => t.id === e.id);
  const next: ProgressEvent = { ...e, fraction: Math.max(prev?.fraction ?? 0, Math.min(1, Math.max(0, e.fraction))) };
  return { ...list, tasks: prev ? list.tasks.map((t) => (t.id === e.id ? next : t)) : [...list.tasks, next] };
}

/** Remove a task for good (whoever owns it decides it is over). */
export function endTask(list: TaskList, id: string): TaskList {
  const ended = new Set(list.ended);
  ended.add(id);
  return { tasks: list.tasks.filter((t) => t.id !== id), ended };
}
