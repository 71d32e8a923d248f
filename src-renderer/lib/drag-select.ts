// Selecting a region by dragging across a lane's zoom view, in either direction, and moving
// an edge of the selection by dragging it. The editor does this itself rather than with
// peaks.js's 'insert-segment' drag mode: that mode drags the new segment's end marker, which
// peaks.js will not move left of its start, so a right-to-left drag selected nothing.

export interface Span {
  start: number;
  end: number;
}

/** Pixels within which a press grabs an edge of the selection: a mouse, and a finger or pen. */
export const EDGE_GRAB_PX = 6;
export const EDGE_GRAB_TOUCH_PX = 16;
/** A press that moves less than this is a click (it clears the selection), not a drag. */
export const CLICK_SLOP_PX = 3;

/** The time at x pixels into a view `width` pixels wide that shows `view`, kept inside the view. */
export function timeAt(x: number, width: number, view: Span): number {
  if (!(width > 0)) return view.start;
  const f = Math.min(1, Math.max(0, x / width));
  return view.start + f * (view.end - view.start);
}

/** The selection's edge a press at x grabs, if any (the nearer one when both are close). */
export function edgeAt(x: number, width: number, view: Span, selection: Span | null, grabPx = EDGE_GRAB_PX): 'start' | 'end' | null {
  if (!selection || !(width > 0) || !(view.end > view.start)) return null;
  const px = (t: number) => ((t - view.start) / (view.end - view.start)) * width;
  const ds = Math.abs(px(selection.start) - x);
  const de = Math.abs(px(selection.end) - x);
  if (Math.min(ds, de) > grabPx) return null;
  return de <= ds ? 'end' : 'start';
}

/** The region between two times, whichever comes first. */
export function spanBetween(a: number, b: number): Span {
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

export interface DragSelectOptions {
  /** The seconds the view shows now. */
  view(): Span | null;
  /** This lane's selection, if it has one. */
  selection(): Span | null;
  /** The selection while dragging (called on every move) and when the drag ends. */
  select(span: Span): void;
  /** A click without a drag. */
  clear(): void;
}

/**
 * Listens on `el` (the zoom view's container) and returns the function that stops it. Presses
 * are taken before they reach peaks.js (capture phase), so its own drag modes never start;
 * the wheel still scrolls.
 */
export function attachDragSelect(el: HTMLElement, opts: DragSelectOptions): () => void {
  /** edge: the press grabbed an edge of the selection (a press there that does not move changes nothing). */
  let drag: { pointerId: number; anchor: number; x0: number; edge: boolean; moved: boolean } | null = null;
  const xOf = (e: { clientX: number }) => e.clientX - el.getBoundingClientRect().left;
  const grabPx = (e: PointerEvent) => (e.pointerType === 'mouse' ? EDGE_GRAB_PX : EDGE_GRAB_TOUCH_PX);

  const stop = (e: Event) => e.stopPropagation();
  const down = (e: PointerEvent) => {
    e.stopPropagation(); // peaks.js never sees a press on this view
    if (e.button !== 0 || drag) return;
    e.preventDefault(); // no mousedown follows (nor does focus move: done below), and no text selection starts
    // whatever had the keyboard (a slider, a menu, the rename field) lets go of it, as a click on the waveform did before
    const focused = document.activeElement;
    if (focused instanceof HTMLElement && focused !== document.body) focused.blur();
    const view = opts.view();
    if (!view) return;
    const x = xOf(e);
    const width = el.clientWidth;
    const sel = opts.selection();
    const edge = edgeAt(x, width, view, sel, grabPx(e));
    // grabbing an edge drags it, the other edge stays put; elsewhere a new region starts here
    const anchor = edge && sel ? (edge === 'end' ? sel.start : sel.end) : timeAt(x, width, view);
    drag = { pointerId: e.pointerId, anchor, x0: x, edge: !!edge, moved: false };
    el.setPointerCapture?.(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    if (!drag) {
      // hovering over an edge shows that it can be dragged
      const view = opts.view();
      el.style.cursor = view && edgeAt(xOf(e), el.clientWidth, view, opts.selection(), grabPx(e)) ? 'ew-resize' : '';
      return;
    }
    if (e.pointerId !== drag.pointerId) return;
    const x = xOf(e);
    if (!drag.moved && Math.abs(x - drag.x0) < CLICK_SLOP_PX) return;
    drag.moved = true;
    const view = opts.view();
    if (view) opts.select(spanBetween(drag.anchor, timeAt(x, el.clientWidth, view)));
  };
  const up = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    const d = drag;
    drag = null;
    if (el.hasPointerCapture?.(e.pointerId)) el.releasePointerCapture(e.pointerId);
    if (e.type !== 'pointerup') return; // cancelled (or capture lost): the selection stays as the drag left it
    if (!d.moved) {
      if (!d.edge) opts.clear(); // a click clears; a click on an edge changes nothing
      return;
    }
    const view = opts.view();
    if (view) opts.select(spanBetween(d.anchor, timeAt(xOf(e), el.clientWidth, view)));
  };

  // [event, listener, capture]: the compatibility events a press also sends must not start peaks.js's own drag either
  const listeners: Array<[string, EventListener, boolean]> = [
    ['pointerdown', down as EventListener, true],
    ['mousedown', stop, true],
    ['touchstart', stop, true],
    ['pointermove', move as EventListener, false],
    ['pointerup', up as EventListener, false],
    ['pointercancel', up as EventListener, false],
    ['lostpointercapture', up as EventListener, false],
  ];
  for (const [type, f, capture] of listeners) el.addEventListener(type, f, capture);
  return () => {
    for (const [type, f, capture] of listeners) el.removeEventListener(type, f, capture);
    el.style.cursor = '';
  };
}
