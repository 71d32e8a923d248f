import { describe, expect, it } from 'vitest';
import { applyProgress, emptyTasks, endTask } from '../../../src-shared/ipc/progress-tasks';

const ev = (id: string, fraction: number, done = false, label = id) => ({ id, label, fraction, done });

describe('progress task list', () => {
  it('adds, updates in place and keeps the order of arrival', () => {
    let l = applyProgress(emptyTasks(), ev('a', 0.1));
    l = applyProgress(l, ev('b', 0.2));
    l = applyProgress(l, ev('a', 0.5, false, 'a: decoding'));
    expect(l.tasks.map((t) => [t.id, t.fraction, t.label])).toEqual([
      ['a', 0.5, 'a: decoding'],
      ['b', 0.2, 'b'],
    ]);
  });

  it('never lets a fraction go backwards and clamps it to 0..1', () => {
    let l = applyProgress(emptyTasks(), ev('a', 0.6));
    l = applyProgress(l, ev('a', 0.3, false, 'later stage label'));
    expect(l.tasks[0]).toMatchObject({ fraction: 0.6, label: 'later stage label' });
    l = applyProgress(l, ev('a', 7));
    expect(l.tasks[0]!.fraction).toBe(1);
    expect(applyProgress(emptyTasks(), ev('b', -3)).tasks[0]!.fraction).toBe(0);
  });

  it('a done event or endTask removes the task for good: late events do not bring it back', () => {
    let l = applyProgress(emptyTasks(), ev('a', 0.2));
    l = applyProgress(l, ev('a', 1, true));
    expect(l.tasks).toEqual([]);
    l = applyProgress(l, ev('a', 0.9));
    expect(l.tasks).toEqual([]);
    let m = applyProgress(emptyTasks(), ev('open1', 0.1));
    m = endTask(m, 'open1');
    m = applyProgress(m, ev('open1', 0.8, false, 'a stage event that arrived after the answer'));
    expect(m.tasks).toEqual([]);
  });
});
