// Progress of one engine job, as a status-keyed union (pure types; shared by engine, host, CLI and UI).
//
// Order within one job is monotonic: queued -> (running | preview)* -> done | failed | cancelled.
// `running` events never go backwards in (pass, level, step) and `fraction` never decreases.
import type { ErrorCode } from '../ipc/result';
import type { JobResult } from './jobs';

export interface QueuedEvent {
  status: 'queued';
  jobId: string;
  /** Jobs ahead of this one in the queue. */
  position: number;
}

export interface RunningEvent {
  status: 'running';
  jobId: string;
  /** 1-based noise level within the current pass. */
  level: number;
  levels: number;
  /** 1-based Langevin step within the level. */
  step: number;
  /** Steps in this level. */
  of: number;
  /** Pass = one sampler run (a channel, a chunk, an alternative); 1-based. */
  pass: number;
  passes: number;
  /** Overall completion in [0, 1]; never decreases within a job. */
  fraction: number;
  /** Estimated seconds left for the whole job (null until it can be estimated). */
  etaSeconds: number | null;
  /** The noise level (linear amplitude) of this step. */
  sigma: number;
}

export interface PreviewEvent {
  status: 'preview';
  jobId: string;
  /** Which output stream this preview belongs to, e.g. 'piano', 'voice', 'audio', 'alt1'. */
  track: string;
  /** Channel index of the job input (0 = left / mono). */
  channel: number;
  /** Current estimate at the MODEL rate (not the clip rate). */
  samples: Float32Array;
  /** Index of samples[0] in the job's model-rate timeline. */
  start: number;
  sampleRate: number;
}

export interface DoneEvent {
  status: 'done';
  jobId: string;
  result: JobResult;
}

export interface FailedEvent {
  status: 'failed';
  jobId: string;
  code: ErrorCode;
  message: string;
}

export interface CancelledEvent {
  status: 'cancelled';
  jobId: string;
}

export type EngineProgress = QueuedEvent | RunningEvent | PreviewEvent | DoneEvent | FailedEvent | CancelledEvent;
export type EngineStatus = EngineProgress['status'];

export const TERMINAL_STATUSES: readonly EngineStatus[] = ['done', 'failed', 'cancelled'];
export function isTerminal(e: EngineProgress): e is DoneEvent | FailedEvent | CancelledEvent {
  return e.status === 'done' || e.status === 'failed' || e.status === 'cancelled';
}

/**
 * Checks that a sequence of events for one job is monotonic; returns null when it is,
 * or a description of the first violation. Used by tests and (defensively) by the host.
 */
export function checkMonotonic(events: readonly EngineProgress[]): string | null {
  let lastFraction = -1;
  let lastKey = -1;
  let terminal = false;
  let started = false;
  for (const [i, e] of events.entries()) {
    if (terminal) return `event ${i} (${e.status}) after a terminal event`;
    if (e.status === 'queued') {
      if (started) return `event ${i}: queued after the job started`;
      continue;
    }
    started = true;
    if (e.status === 'running') {
      if (e.fraction < lastFraction) return `event ${i}: fraction went back ${lastFraction} -> ${e.fraction}`;
      const key = ((e.pass * 1e4 + e.level) * 1e5 + e.step);
      if (key < lastKey) return `event ${i}: (pass, level, step) went back`;
      if (e.fraction < 0 || e.fraction > 1) return `event ${i}: fraction ${e.fraction} out of [0,1]`;
      lastFraction = e.fraction;
      lastKey = key;
    }
    if (isTerminal(e)) terminal = true;
  }
  return null;
}

/**
 * How far a result is from its baseline, in words: "12.3 dB from the cubic spline" (the
 * baseline's energy over the difference's), or, where that ratio has no finite value, that the
 * two are identical or that the baseline is silent.
 */
export function fromBaseline(db: number, baseline: string): string {
  if (Number.isFinite(db)) return `${db.toFixed(1)} dB from the ${baseline}`;
  return db > 0 ? `identical to the ${baseline}` : `the ${baseline} is silent and the result is not`;
}

/**
 * One plain sentence per output on how the result relates to the plain baseline, so the
 * UI can be honest when a weak prior makes things worse than simple interpolation.
 * Returns null for a track with nothing to compare.
 */
export function describeReport(r: import('./jobs').TrackReport): { text: string; warn: boolean } | null {
  if (!r.baseline || r.snrVsBaselineDb == null) return null;
  const moved = `${r.track}: ${fromBaseline(r.snrVsBaselineDb, r.baseline)}`;
  if (r.meanLogpOutput == null || r.meanLogpBaseline == null) return { text: `${moved}.`, warn: false };
  const diff = r.meanLogpOutput - r.meanLogpBaseline;
  // below the shown precision the two are rated alike: no warning for a difference that prints as 0.00
  if (Math.abs(diff) < 0.005) return { text: `${moved}; the model rates the result and the plain ${r.baseline} alike (${diff.toFixed(3)} nats/sample): the prior changed little here.`, warn: false };
  if (diff >= 0) return { text: `${moved}; the model rates the result more likely than the ${r.baseline} (+${diff.toFixed(2)} nats/sample).`, warn: false };
  return {
    text: `${moved}; the model rates the plain ${r.baseline} MORE likely than its own result (${diff.toFixed(2)} nats/sample), so the result may be worse than the ${r.baseline}. Compare both before you keep it.`,
    warn: true,
  };
}

/** What the editor calls an output: a fill's "alt2" is "Fill 2"; other names stay. */
export function outputLabel(track: string): string {
  const m = /^alt(\d+)$/.exec(track);
  return m ? `Fill ${m[1]}` : track;
}

/** "10.3 dB" or "10.3–10.4 dB": one number when a range rounds to a single value. */
function span(values: number[], digits: number): string {
  const lo = Math.min(...values).toFixed(digits);
  const hi = Math.max(...values).toFixed(digits);
  return lo === hi ? lo : `${lo} to ${hi}`;
}

/**
 * What the user is told when a job finishes: every warning, and one line of context when there
 * is none. Several outputs warned against the same baseline (a fill's alternatives) make ONE
 * line with the range of their numbers instead of a stack of near-identical ones.
 */
export function describeReports(reports: readonly import('./jobs').TrackReport[]): { text: string; warn: boolean }[] {
  const described = reports.flatMap((r) => {
    const d = describeReport({ ...r, track: outputLabel(r.track) });
    return d ? [{ r, d }] : [];
  });
  const warned = described.filter((x) => x.d.warn);
  if (warned.length === 0) return described.slice(0, 1).map((x) => x.d);
  const byBaseline = new Map<string, typeof warned>();
  for (const x of warned) byBaseline.set(x.r.baseline!, [...(byBaseline.get(x.r.baseline!) ?? []), x]);
  return [...byBaseline.entries()].map(([baseline, group]) => {
    if (group.length === 1) return group[0]!.d;
    const names = group.map((x) => outputLabel(x.r.track)).join(', ');
    const dbs = group.map((x) => x.r.snrVsBaselineDb!);
    const snr = dbs.every(Number.isFinite) ? `${span(dbs, 1)} dB from the ${baseline}` : fromBaseline(dbs.find((d) => !Number.isFinite(d))!, baseline);
    const diff = span(group.map((x) => x.r.meanLogpOutput! - x.r.meanLogpBaseline!), 2);
    return {
      text: `${names}: ${snr}; the model rates the plain ${baseline} MORE likely than each of them (${diff} nats/sample), so they may be worse than the ${baseline}. Compare before you keep one.`,
      warn: true,
    };
  });
}
