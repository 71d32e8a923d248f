// Splice a region of one version of a clip into another (accepting a fill): outside the
// region the base stays bit-exact; at the edges a short equal-power crossfade hides any
// step left by resampling to and from the model rate.

/** The crossfade at each edge of an accepted fill. */
export const FILL_FADE_SECONDS = 0.003;

/**
 * A copy of `base` with frames [startFrame, endFrame) taken from `fill`, whose first frame is
 * base frame `fillOffset` (0: a whole clip; a fill's result holds only the stretch around its
 * gap). `fill` must cover the region.
 */
export function spliceRegion(
  base: Float32Array[],
  fill: Float32Array[],
  startFrame: number,
  endFrame: number,
  fadeFrames: number,
  fillOffset = 0,
): Float32Array[] {
  if (base.length !== fill.length) throw new Error('channel counts differ');
  const n = base[0]?.length ?? 0;
  if (base.some((c) => c.length !== n)) throw new Error('lengths differ');
  const a = Math.max(0, Math.min(n, Math.floor(startFrame)));
  const b = Math.max(a, Math.min(n, Math.ceil(endFrame)));
  const off = Math.round(fillOffset);
  if (b > a && fill.some((c) => off > a || off + c.length < b)) throw new Error('the fill does not cover the region');
  const f = Math.max(0, Math.min(Math.floor(fadeFrames), Math.floor((b - a) / 2)));
  return base.map((src, c) => {
    const out = src.slice();
    const ins = fill[c]!;
    for (let i = a; i < b; i++) {
      let w = 1;
      if (i < a + f) w = Math.sin(((i - a + 0.5) / f) * (Math.PI / 2));
      else if (i >= b - f) w = Math.sin(((b - i - 0.5) / f) * (Math.PI / 2));
      const wb = Math.sqrt(Math.max(0, 1 - w * w));
      out[i] = w * ins[i - off]! + wb * src[i]!;
    }
    return out;
  });
}

/**
 * The track after accepting a fill of [start, end) seconds: the one computation both the main
 * side (which stores it) and the editor (which shows it without receiving it) make.
 */
export function acceptFill(base: Float32Array[], fill: Float32Array[], fillOffset: number, start: number, end: number, sampleRate: number): Float32Array[] {
  return spliceRegion(base, fill, start * sampleRate, end * sampleRate, Math.round(FILL_FADE_SECONDS * sampleRate), fillOffset);
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
