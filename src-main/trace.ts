// PNF_TRACE=1 logs where time goes (stderr), each line stamped with ms since the process began.
export function trace(msg: string): void {
  if (process.env['PNF_TRACE']) console.error(`[trace] ${performance.now().toFixed(0).padStart(7)} ms  ${msg}`);
}
