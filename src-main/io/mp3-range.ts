// Frames [from, to) of an MP3 file without decoding the rest. MP3 frames do not decode on their
// own (a frame's data may start in the frames before it, and the filter banks carry state), so a
// stretch is decoded from a few frames earlier and those frames' output is dropped. The decoder
// (mpg123) then gives exactly the samples the whole decode gives, provided the decode starts on a
// frame whose index is a multiple of 16 (its synthesis window rotates with a period of 4 MPEG-1
// frames; tests check bit-identity). The decode also starts early enough for the last frames
// before the stretch to find their bit reservoirs (each frame's main_data_begin says how far back
// its data starts: far, in small low-bitrate frames). That holds for MPEG-1 Layer III (32, 44.1
// and 48 kHz: nearly every MP3). The low-rate MPEG-2/2.5 variants (8-24 kHz: spoken-word
// podcasts, old voice recordings) are read the same way and come out equal to the whole decode
// but for a float's last bits (tests: within 1e-7); the only caller, a fill's input, cannot tell.
// Anything unexpected is decoded whole by the caller.
import { readFile } from 'node:fs/promises';
import { findMpegFrame, afterId3v2, parseLameTag, parseMpegHeader, type MpegHeader } from './decode';
import type { AudioRange } from './flac-range';

/** Frames decoded before the stretch and dropped, at least (the filter banks' memory). */
const PREROLL_FRAMES = 4;
/** The frames just before the stretch that must decode exactly (overlap-add and synthesis memory), so whose reservoirs must be read too. */
const EXACT_BEFORE = 2;

/** Bytes of a Layer III frame before its main data: header, CRC, side information. */
function sideInfoEnd(b: Uint8Array, o: number, h: MpegHeader): number {
  const crc = (b[o + 1]! & 1) === 0 ? 2 : 0;
  return 4 + crc + (h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17);
}

/** How many bytes before the frame at `o` its main data begins (in the frames before it). */
function mainDataBegin(b: Uint8Array, o: number, h: MpegHeader): number {
  const p = o + 4 + ((b[o + 1]! & 1) === 0 ? 2 : 0);
  return h.version === 1 ? (b[p]! << 1) | (b[p + 1]! >> 7) : b[p]!;
}

/** The first frame holding main data of frame k (k itself when its data starts in it); -1 when the file does not have it. */
function reservoirStart(b: Uint8Array, frames: { o: number; h: MpegHeader }[], k: number): number {
  let need = mainDataBegin(b, frames[k]!.o, frames[k]!.h);
  let j = k;
  while (need > 0) {
    if (--j < 0) return -1;
    need -= frames[j]!.h.frameBytes - sideInfoEnd(b, frames[j]!.o, frames[j]!.h);
  }
  return j;
}
/** The decode starts on a frame index that is a multiple of this (see above). */
const ALIGN_FRAMES = 16;
/** mpg123's own decoder delay for layer III (as in decode.ts). */
const DECODER_DELAY = 529;

/**
 * Frames [from, to) of the MP3 at `path` (clamped to it), with its sample rate and whole length:
 * exactly what decoding the whole file and slicing gives. `decodedFrames` is how many frames the
 * whole file decoded to; unless that is what its frames and gapless header promise (so no
 * damaged frame was dropped, which would have moved everything after it), the answer is null,
 * as it is for anything unexpected: then decode the file whole.
 */
export async function readMp3Range(path: string, from: number, to: number, decodedFrames: number): Promise<AudioRange | null> {
  const b: Uint8Array = await readFile(path); // (the frame or page walk needs all of it; decoding needs a little)
  const start = afterId3v2(b);
  const first = findMpegFrame(b, start, 64 * 1024);
  if (!first || first.header.layer !== 3) return null;
  const h0 = first.header;
  const lame = parseLameTag(b, first.offset, h0);
  if (lame && lame.delay === 0 && lame.padding === 0) return null; // (whether mpg123 trims then is not pinned down)
  // every audio frame's offset (the gapless header's frame carries no audio)
  const frames: { o: number; h: MpegHeader }[] = [];
  let o = first.offset + (lame ? h0.frameBytes : 0);
  for (;;) {
    const h = parseMpegHeader(b, o);
    if (!h || o + h.frameBytes > b.length) break;
    if (h.version !== h0.version || h.layer !== 3 || h.sampleRate !== h0.sampleRate || h.channels !== h0.channels) return null;
    frames.push({ o, h });
    o += h.frameBytes;
  }
  const offsets = frames.map((f) => f.o);
  const spf = h0.samplesPerFrame;
  const skip = lame ? lame.delay + DECODER_DELAY : 0;
  const total = offsets.length * spf - (lame ? lame.delay + lame.padding : 0);
  if (total <= 0 || total !== decodedFrames) return null;
  const a = Math.max(0, Math.min(total, Math.floor(from)));
  const z = Math.max(a, Math.min(total, Math.ceil(to)));
  // whole-decode sample i is the decoder's raw output sample i + skip, made by frame floor(raw / spf)
  const k0 = Math.floor((a + skip) / spf);
  const k1 = Math.min(offsets.length - 1, Math.floor((Math.max(a, z - 1) + skip) / spf));
  let first0 = k0 - PREROLL_FRAMES;
  for (let k = Math.max(0, k0 - EXACT_BEFORE); k <= k0; k++) first0 = Math.min(first0, reservoirStart(b, frames, k));
  const s0 = Math.max(0, Math.floor(first0 / ALIGN_FRAMES) * ALIGN_FRAMES);
  const end = k1 + 1 < offsets.length ? offsets[k1 + 1]! : o;
  const { default: decode } = await import('@audio/decode-mp3');
  let r: { channelData: Float32Array[]; sampleRate: number; errors?: unknown[] };
  try {
    r = await decode(b.subarray(offsets[s0]!, end));
  } catch {
    return null;
  }
  const chans = (r.channelData ?? []).slice(0, h0.channels);
  if (chans.length !== h0.channels || (r.errors?.length ?? 0) > 0 || chans[0]!.length !== (k1 + 1 - s0) * spf) return null;
  const at = a + skip - s0 * spf;
  if (at + (z - a) > chans[0]!.length) return null;
  return { sampleRate: h0.sampleRate, frames: total, channels: chans.map((c) => c.slice(at, at + (z - a))) };
}
