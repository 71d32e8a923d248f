// Spacing for costly redraws while data streams in (a live preview redraws an hour-long lane):
// after a run that took d ms, the next may start 2d ms later, so the UI thread stays at least
// two-thirds free. Cheap runs (short tracks) are not delayed at all.
export class Pacer {
  private nextAt = 0;

  /** Milliseconds to wait before the next run. */
  delay(): number {
    return Math.max(0, this.nextAt - performance.now());
  }

  /** Record a run that started at `startedAt` (performance.now()) and has just ended. */
  ran(startedAt: number): void {
    const now = performance.now();
    this.nextAt = now + 2 * (now - startedAt);
  }
}
