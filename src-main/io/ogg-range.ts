// Frames [from, to) of an Ogg Vorbis file without decoding the rest. A Vorbis packet's output
// overlaps the one before it, so a stretch is decoded from a page some way before it, behind the
// stream's header pages. Each page says (its granule position) how many samples the stream holds
// up to its last packet, and the decoder's output of such a run of pages ends exactly there: so
// the run's output is placed from its end (tests check bit-identity with the whole decode).
import { readFile } from 'node:fs/promises';
import type { AudioRange } from './flac-range';

interface OggPage {
  offset: number;
  bytes: number;
  /** Samples in the stream up to the last packet that ends on this page; -1 when none ends on it. */
  granule: number;
  /** The page starts with the rest of a packet begun on the page before. */
  continued: boolean;
  serial: number;
}

/** Samples decoded before the stretch and dropped: more than half the longest Vorbis block (8192). */
const PREROLL_SAMPLES = 8192;

/** The pages of an Ogg file, or null where the bytes are not one clean run of pages. */
export function oggPages(b: Uint8Array): OggPage[] | null {
  const pages: OggPage[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o < b.length; ) {
    if (o + 27 > b.length || b[o] !== 0x4f || b[o + 1] !== 0x67 || b[o + 2] !== 0x67 || b[o + 3] !== 0x53 || b[o + 4] !== 0) return null;
    const segments = b[o + 26]!;
    if (o + 27 + segments > b.length) return null;
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[o + 27 + i]!;
    const bytes = 27 + segments + body;
    if (o + bytes > b.length) return null;
    const lo = dv.getUint32(o + 6, true);
    const hi = dv.getInt32(o + 10, true);
    pages.push({ offset: o, bytes, granule: hi < 0 ? -1 : hi * 2 ** 32 + lo, continued: (b[o + 5]! & 1) !== 0, serial: dv.getUint32(o + 14, true) });
    o += bytes;
  }
  return pages;
}

/**
 * Frames [from, to) of the Ogg Vorbis file at `path` (clamped to it), with its sample rate and
 * whole length: exactly what decoding the whole file and slicing gives. `decodedFrames` is how
 * many frames the whole file decoded to; unless that is the length its last page states (so no
 * damaged packet was dropped), the answer is null, as it is for anything unexpected (several
 * streams in one file, a damaged page): then decode the file whole.
 */
export async function readOggRange(path: string, from: number, to: number, decodedFrames: number): Promise<AudioRange | null> {
  const b: Uint8Array = await readFile(path); // (the frame or page walk needs all of it; decoding needs a little)
  const pages = oggPages(b);
  if (!pages || pages.length < 2 || pages.some((p) => p.serial !== pages[0]!.serial)) return null;
  const firstAudio = pages.findIndex((p) => p.granule > 0);
  const total = pages.at(-1)!.granule;
  if (firstAudio < 1 || pages[firstAudio]!.continued || total <= 0 || total !== decodedFrames) return null;
  const a = Math.max(0, Math.min(total, Math.floor(from)));
  const z = Math.max(a, Math.min(total, Math.ceil(to)));
  // the last page: the first one whose stated length reaches the end of the stretch
  let pe = firstAudio;
  while (pe < pages.length - 1 && !(pages[pe]!.granule >= z && pages[pe]!.granule >= 0)) pe++;
  // the first page: one that starts a packet, after a page that ends at least PREROLL_SAMPLES before
  // the stretch, and before the last page (the decoder trims the stream's last page by how much
  // it adds to the page before: that page must be in the run)
  let ps = pe;
  while (ps > firstAudio && (ps === pe || pages[ps]!.continued || pages[ps - 1]!.granule < 0 || pages[ps - 1]!.granule > a - PREROLL_SAMPLES)) ps--;
  const run = b.subarray(pages[ps]!.offset, pages[pe]!.offset + pages[pe]!.bytes);
  const head = b.subarray(0, pages[firstAudio]!.offset);
  const stream = new Uint8Array(head.length + run.length);
  stream.set(head);
  stream.set(run, head.length);
  const { default: decode } = await import('@audio/decode-vorbis');
  let r: { channelData: Float32Array[]; sampleRate: number; errors?: unknown[] };
  try {
    r = await decode(stream);
  } catch {
    return null;
  }
  const chans = r.channelData ?? [];
  const got = chans[0]?.length ?? 0;
  const end = pages[pe]!.granule;
  const start = end - got; // the stream sample the run's first output sample is
  if (!got || (r.errors?.length ?? 0) > 0 || start > a || start < 0 || (ps === firstAudio && start !== 0)) return null;
  return { sampleRate: r.sampleRate, frames: total, channels: chans.map((c) => c.slice(a - start, z - start)) };
}
