// Splice a region of one version of a clip into another (accepting a fill): outside the
// region the base stays bit-exact; at the edges a short equal-power crossfade hides any
// step left by resampling to and from the model rate.

/**
 * Why [start, end) seconds is not a stretch of `what` (a clip `seconds` long) (empty, backwards, outside
 * it, not numbers), in words that name the user's own numbers; null when it is one.
 */
export function regionProblem(start: number, end: number, seconds: number, what = 'the clip'): string | null {
  const s = (x: number) => (Number.isFinite(x) ? `${+x.toFixed(3)}` : String(x));
  if (!Number.isFinite(start) || !Number.isFinite(end)) return `The region ${s(start)}–${s(end)} s is not a stretch of time: give its start and end in seconds.`;
  if (start >= end) return `The region ${s(start)}–${s(end)} s is empty: its end must come after its start.`;
  if (start < 0 || end > seconds + 1e-9) return `The region ${s(start)}–${s(end)} s is not inside ${what}, which runs from 0 to ${s(seconds)} s. Select a stretch inside it.`;
  return null;
}

/** The crossfade at each edge of an accepted fill. */
export const FILL_FADE_SECONDS = 0.003;

/** Which edges of a splice cross-fade: none where the region meets the clip's start or end (there is nothing to fade to there). */
export interface Fades {
  in: boolean;
  out: boolean;
}
const BOTH_FADES: Fades = { in: true, out: true };

/** The fades of an accepted fill of frames [a, b) in a clip of `frames`. */
function acceptFades(a: number, b: number, frames: number): Fades {
  return { in: a > 0, out: b < frames };
}

/** Frames [startFrame, endFrame) of a clip of `frames`, rounded outwards and clamped to the clip. */
function clampSpan(frames: number, startFrame: number, endFrame: number): { a: number; b: number } {
  const a = Math.max(0, Math.min(frames, Math.floor(startFrame)));
  return { a, b: Math.max(a, Math.min(frames, Math.ceil(endFrame))) };
}

/** The frames a splice writes, checked: [a, b) inside the clip, `f` fade frames each side. */
function spliceSpan(frames: number, fill: Float32Array[], channelCount: number, startFrame: number, endFrame: number, fadeFrames: number, fillOffset: number) {
  if (channelCount !== fill.length) throw new Error('channel counts differ');
  const { a, b } = clampSpan(frames, startFrame, endFrame);
  const off = Math.round(fillOffset);
  if (b > a && fill.some((c) => off > a || off + c.length < b)) throw new Error('the fill does not cover the region');
  const f = Math.max(0, Math.min(Math.floor(fadeFrames), Math.floor((b - a) / 2)));
  return { a, b, f, off };
}

/**
 * Frames [startFrame, endFrame) of `target` taken from `fill`, in place, whose first frame is
 * target frame `fillOffset` (0: a whole clip; a fill's result holds only the stretch around its
 * gap). `fill` must cover the region.
 */
export function spliceRegionInPlace(
  target: Float32Array[],
  fill: Float32Array[],
  startFrame: number,
  endFrame: number,
  fadeFrames: number,
  fillOffset = 0,
  fades: Fades = BOTH_FADES,
): void {
  const n = target[0]?.length ?? 0;
  if (target.some((c) => c.length !== n)) throw new Error('lengths differ');
  const { a, b, f, off } = spliceSpan(n, fill, target.length, startFrame, endFrame, fadeFrames, fillOffset);
  target.forEach((out, c) => {
    const ins = fill[c]!;
    for (let i = a; i < b; i++) {
      let w = 1;
      if (fades.in && i < a + f) w = Math.sin(((i - a + 0.5) / f) * (Math.PI / 2));
      else if (fades.out && i >= b - f) w = Math.sin(((b - i - 0.5) / f) * (Math.PI / 2));
      const wb = Math.sqrt(Math.max(0, 1 - w * w));
      out[i] = w * ins[i - off]! + wb * out[i]!;
    }
  });
}

/** A copy of `base` with frames [startFrame, endFrame) taken from `fill` (see spliceRegionInPlace). */
export function spliceRegion(
  base: Float32Array[],
  fill: Float32Array[],
  startFrame: number,
  endFrame: number,
  fadeFrames: number,
  fillOffset = 0,
  fades: Fades = BOTH_FADES,
): Float32Array[] {
  const n = base[0]?.length ?? 0;
  if (base.some((c) => c.length !== n)) throw new Error('lengths differ');
  spliceSpan(n, fill, base.length, startFrame, endFrame, fadeFrames, fillOffset); // refuse before copying
  const out = base.map((c) => c.slice());
  spliceRegionInPlace(out, fill, startFrame, endFrame, fadeFrames, fillOffset, fades);
  return out;
}

/**
 * The track after accepting a fill of [start, end) seconds: the one computation both the main
 * side (which stores it) and the editor (which shows it without receiving it) make.
 */
export function acceptFill(base: Float32Array[], fill: Float32Array[], fillOffset: number, start: number, end: number, sampleRate: number): Float32Array[] {
  const frames = base[0]?.length ?? 0;
  const { a, b } = acceptedFrames(start, end, sampleRate, frames);
  return spliceRegion(base, fill, start * sampleRate, end * sampleRate, Math.round(FILL_FADE_SECONDS * sampleRate), fillOffset, acceptFades(a, b, frames));
}

/** The frames [a, b) that accepting a fill of [start, end) seconds writes in a track of `frames`. */
export function acceptedFrames(start: number, end: number, sampleRate: number, frames: number): { a: number; b: number } {
  return clampSpan(frames, start * sampleRate, end * sampleRate);
}

/**
 * `acceptFill` in place, on the whole track or on a stretch of it: `channels` are the track's
 * frames from `stretch.at` on, of a track `stretch.frames` long, and hold all of
 * `acceptedFrames(...)`. The result is bit-identical to acceptFill's over that stretch (this is
 * how the project store reads a version stored as an accepted fill).
 */
export function acceptFillInPlace(
  channels: Float32Array[],
  fill: Float32Array[],
  fillOffset: number,
  start: number,
  end: number,
  sampleRate: number,
  stretch: { at: number; frames: number } = { at: 0, frames: channels[0]?.length ?? 0 },
): void {
  const { a, b } = acceptedFrames(start, end, sampleRate, stretch.frames);
  const held = channels[0]?.length ?? 0;
  if (b > a && (a < stretch.at || b > stretch.at + held)) throw new Error('the stretch does not hold the region');
  spliceRegionInPlace(channels, fill, a - stretch.at, b - stretch.at, Math.round(FILL_FADE_SECONDS * sampleRate), fillOffset - stretch.at, acceptFades(a, b, stretch.frames));
}

/**
 * Throws (with the reason) unless a fill fits a track of `frames` x `channelCount`: the check
 * `acceptFill` makes, without the track's samples.
 */
export function checkAcceptFill(frames: number, channelCount: number, fill: Float32Array[], fillOffset: number, start: number, end: number, sampleRate: number): void {
  spliceSpan(frames, fill, channelCount, start * sampleRate, end * sampleRate, 0, fillOffset);
}

/**
 * A copy of `base` with `patch` written over it from frame `offset` on (a fill's result holds
 * only the stretch around its gaps; this makes the whole clip). Parts of the patch outside
 * the base are dropped, so any offset, negative included, is safe.
 */
export function placePatch(base: Float32Array[], patch: Float32Array[], offset: number): Float32Array[] {
  if (base.length !== patch.length) throw new Error('channel counts differ');
  const at = Math.round(offset);
  return base.map((src, c) => {
    const out = src.slice();
    const p = patch[c]!;
    const from = Math.max(0, -at);
    const to = Math.min(p.length, out.length - at);
    if (to > from) out.set(p.subarray(from, to), at + from);
    return out;
  });
}
