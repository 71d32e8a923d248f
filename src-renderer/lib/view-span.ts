// The project's view: which seconds every lane shows. The project owns it (all lanes and the
// overview follow it), so a zoom works out the new start here instead of leaving it to each
// peaks.js view, whose own re-anchoring the project never heard of (the overview's box then sat
// in the wrong place, and the next scroll jumped).

export interface ViewSpan {
  start: number;
  seconds: number;
}

/** A start that keeps a view of `seconds` inside a project `duration` long. */
export function clampStart(start: number, seconds: number, duration: number): number {
  return Math.max(0, Math.min(Math.max(0, duration - seconds), Number.isFinite(start) ? start : 0));
}

/**
 * The view after zooming to `seconds`: the playhead stays where it is on screen when it is in
 * view, otherwise the centre of the view stays put; then kept inside the project.
 */
export function zoomedView(view: ViewSpan, seconds: number, playhead: number, duration: number): ViewSpan {
  const inView = playhead >= view.start && playhead <= view.start + view.seconds; // (at the end after playing to it)
  const start = inView ? playhead - ((playhead - view.start) * seconds) / view.seconds : view.start + (view.seconds - seconds) / 2;
  return { start: clampStart(start, seconds, duration), seconds };
}
