// The versions of tracks' audio a window holds. Accepting a fill makes a new version that
// differs from the one before only inside the fill's region, and undo/redo may return to
// either, so both are kept; but an hour of stereo is 1.3 GB, and ten accepted fills must not
// hold 13 GB. So a version the document does not show right now, related to one it does show
// through accepted fills, is kept as its samples in those fills' regions only (a few seconds),
// and made whole again when the document shows it. Pure functions, no runes: unit-tested in Node.
import type { TrackAudio } from '../../src-shared/ipc/contract';

/** An accepted fill: version `to` is version `from` with frames [start, end) changed. */
export interface FillLink {
  from: string;
  to: string;
  start: number;
  end: number;
}

/** A version kept as the frames where it differs from a whole version (`of`): one array per channel per span. */
export interface CompactVersion {
  of: string;
  spans: { at: number; samples: Float32Array[] }[];
  /** Everything but the samples (the waveform summary stays: it is small). */
  audio: Omit<TrackAudio, 'channels'>;
}

export interface Versions {
  whole: ReadonlyMap<string, TrackAudio>;
  compact: ReadonlyMap<string, CompactVersion>;
}

/** Merged, sorted frame spans. */
function union(spans: { start: number; end: number }[]): { start: number; end: number }[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** A version's samples over frames [start, end): from the whole version, or from its anchor and spans. */
function samplesOver(v: Versions, blob: string, start: number, end: number): Float32Array[] | null {
  const w = v.whole.get(blob);
  if (w) return w.channels.map((c) => c.slice(start, end));
  const c = v.compact.get(blob);
  const anchor = c && v.whole.get(c.of);
  if (!c || !anchor) return null;
  const out = anchor.channels.map((ch) => ch.slice(start, end));
  for (const s of c.spans) {
    const len = s.samples[0]?.length ?? 0;
    const a = Math.max(start, s.at);
    const b = Math.min(end, s.at + len);
    if (b > a) out.forEach((o, i) => o.set(s.samples[i]!.subarray(a - s.at, b - s.at), a - start));
  }
  return out;
}

/** How a whole version is copied (the editor copies into playable buffers: see playableCopy). */
export type CopyAudio = (a: TrackAudio) => Float32Array[];
const plainCopy: CopyAudio = (a) => a.channels.map((c) => c.slice());

/** The whole samples of a version (for a compact one, a new copy made by `copy`), or null if it is not held. */
export function wholeAudio(v: Versions, blob: string, copy: CopyAudio = plainCopy): TrackAudio | null {
  const w = v.whole.get(blob);
  if (w) return w;
  const c = v.compact.get(blob);
  const anchor = c && v.whole.get(c.of);
  if (!c || !anchor) return null;
  const channels = copy(anchor);
  for (const s of c.spans) channels.forEach((ch, i) => ch.set(s.samples[i]!, s.at));
  return { ...c.audio, channels };
}

/**
 * The held versions after the document changed to show `shown`: every shown version whole,
 * and every other version connected to a shown one through accepted fills compact, relative
 * to that shown version. Versions with no such connection (a job's outputs, an import) are left
 * as they are. A shown version is made whole in the buffer of the version it was kept against
 * when no other shown version needs that buffer (undo, redo and accepting a fill then copy
 * nothing: the few frames that differ are swapped); otherwise it is copied by `copy`.
 * Returns `v` itself when nothing changed.
 */
export function settleVersions(v: Versions, links: readonly FillLink[], shown: ReadonlySet<string>, copy: CopyAudio = plainCopy): Versions {
  const whole = new Map(v.whole);
  const compact = new Map(v.compact);
  // neighbours through accepted fills, with the frames where they differ
  const next = new Map<string, { blob: string; start: number; end: number }[]>();
  const add = (a: string, b: string, start: number, end: number) => next.set(a, [...(next.get(a) ?? []), { blob: b, start, end }]);
  for (const l of links) {
    add(l.from, l.to, l.start, l.end);
    add(l.to, l.from, l.start, l.end);
  }
  // from each shown version, reach the others: each is that version over the regions on the way
  const reached = new Map<string, { of: string; regions: { start: number; end: number }[] }>();
  for (const root of shown) {
    if (!whole.has(root) && !compact.has(root)) continue;
    const queue: { blob: string; regions: { start: number; end: number }[] }[] = [{ blob: root, regions: [] }];
    const seen = new Set([root]);
    while (queue.length) {
      const { blob, regions } = queue.shift()!;
      for (const n of next.get(blob) ?? []) {
        if (seen.has(n.blob) || shown.has(n.blob)) continue;
        seen.add(n.blob);
        const path = [...regions, { start: n.start, end: n.end }];
        if (!reached.has(n.blob) && (whole.has(n.blob) || compact.has(n.blob))) reached.set(n.blob, { of: root, regions: path });
        queue.push({ blob: n.blob, regions: path });
      }
    }
  }
  // 1. the new compact forms, read from the versions as they are now (before any buffer changes hands)
  const current = { whole: v.whole, compact: v.compact };
  const made = new Map<string, CompactVersion>();
  for (const [blob, { of, regions }] of reached) {
    const old = whole.get(blob) ?? compact.get(blob)!.audio;
    const spans = union(regions).flatMap(({ start, end }) => {
      const samples = samplesOver(current, blob, start, end);
      return samples ? [{ at: start, samples }] : [];
    });
    const { channels: _c, ...audio } = old as TrackAudio;
    made.set(blob, { of, spans, audio });
  }
  // 2. shown versions made whole: copies first (they read buffers that may change hands next)
  const toShow = [...shown].filter((b) => !whole.has(b) && compact.has(b) && whole.has(compact.get(b)!.of));
  const takers = new Map<string, string>(); // anchor -> the one shown version that takes its buffer
  for (const b of toShow) {
    const of = compact.get(b)!.of;
    if (!shown.has(of) && !takers.has(of)) takers.set(of, b);
  }
  const show = (blob: string, channels: Float32Array[]) => {
    const c = compact.get(blob)!;
    for (const s of c.spans) channels.forEach((ch, i) => ch.set(s.samples[i]!, s.at));
    whole.set(blob, { ...c.audio, channels });
    compact.delete(blob);
  };
  for (const b of toShow) if (takers.get(compact.get(b)!.of) !== b) show(b, copy(whole.get(compact.get(b)!.of)!));
  for (const [of, b] of takers) show(b, whole.get(of)!.channels);
  // 3. the others become compact (a buffer taken over is dropped with its old owner)
  for (const [blob, c] of made) {
    whole.delete(blob);
    compact.set(blob, c);
  }
  return made.size > 0 || toShow.length > 0 ? { whole, compact } : v;
}

/** Bytes of samples a version holds in this window (a compact one: its spans only). */
export function heldBytes(v: Versions, blob: string): number {
  const w = v.whole.get(blob);
  if (w) return w.channels.reduce((n, c) => n + c.byteLength, 0);
  const c = v.compact.get(blob);
  return c ? c.spans.reduce((n, s) => n + s.samples.reduce((m, x) => m + x.byteLength, 0), 0) : 0;
}

/**
 * Lets go of versions nothing needs right now, so that deleting long tracks (and the
 * alternatives of past fills) frees their memory: every version stays in the project on disk,
 * and the editor reads it again if undo brings it back. A version is needed when it is in
 * `keep` (what the document shows, what a job or an open choice of fills uses) or when a kept
 * compact version is made of it. The others are let go least recently shown first (`lastShown`:
 * higher = more recent; never shown = 0), until what they hold is at most `budgetBytes`; a whole
 * version goes together with the compact versions made of it. Returns `v` itself when nothing
 * is let go, else the versions kept and the blob ids let go.
 */
export function releaseUnneeded(
  v: Versions,
  keep: ReadonlySet<string>,
  lastShown: ReadonlyMap<string, number>,
  budgetBytes: number,
): { versions: Versions; released: string[] } {
  const dependents = new Map<string, string[]>();
  for (const [blob, c] of v.compact) dependents.set(c.of, [...(dependents.get(c.of) ?? []), blob]);
  const needed = new Set<string>();
  for (const b of keep) {
    if (!v.whole.has(b) && !v.compact.has(b)) continue;
    needed.add(b);
    const of = v.compact.get(b)?.of;
    if (of) needed.add(of);
  }
  // groups that go together: a whole version and the compact ones made of it
  const groups = [...v.whole.keys()]
    .filter((b) => !needed.has(b))
    .map((b) => ({ blobs: [b, ...(dependents.get(b) ?? []).filter((d) => !needed.has(d))], recency: lastShown.get(b) ?? 0 }))
    .map((g) => ({ ...g, recency: Math.max(g.recency, ...g.blobs.map((b) => lastShown.get(b) ?? 0)), bytes: g.blobs.reduce((n, b) => n + heldBytes(v, b), 0) }))
    .sort((a, b) => a.recency - b.recency);
  let total = groups.reduce((n, g) => n + g.bytes, 0);
  const released: string[] = [];
  for (const g of groups) {
    if (total <= budgetBytes) break;
    released.push(...g.blobs);
    total -= g.bytes;
  }
  if (!released.length) return { versions: v, released };
  const gone = new Set(released);
  return {
    versions: {
      whole: new Map([...v.whole].filter(([b]) => !gone.has(b))),
      compact: new Map([...v.compact].filter(([b]) => !gone.has(b))),
    },
    released,
  };
}
