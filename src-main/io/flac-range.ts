// Frames [from, to) of a FLAC file without decoding the rest. FLAC frames decode on their own
// (no state carries from one to the next), and each frame's header says which sample it starts
// at, so the frames around a stretch are found by a binary search over the file's bytes and
// decoded behind the file's STREAMINFO: a fill in an hour-long FLAC reads a few kilobytes.
import { open } from 'node:fs/promises';
import { afterId3v2 } from './decode';

export interface AudioRange {
  sampleRate: number;
  /** The whole file's length in frames. */
  frames: number;
  channels: Float32Array[];
}

interface StreamInfo {
  minBlock: number;
  maxBlock: number;
  maxFrameBytes: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  total: number;
  /** The STREAMINFO block's 34 bytes. */
  bytes: Uint8Array;
  /** Where the first audio frame starts. */
  firstFrame: number;
}

/** Bytes read for the header (a longer one, e.g. with cover art, means: decode the file whole). */
const HEAD_BYTES = 1 << 20;

/** "fLaC", the metadata blocks and STREAMINFO, from the head of the file; null when it is not that. */
export function parseFlacHead(b: Uint8Array): StreamInfo | null {
  const o = afterId3v2(b);
  if (o + 8 + 34 > b.length || b[o] !== 0x66 || b[o + 1] !== 0x4c || b[o + 2] !== 0x61 || b[o + 3] !== 0x43) return null;
  if ((b[o + 4]! & 0x7f) !== 0) return null; // STREAMINFO must come first
  const s = o + 8;
  const si = b.subarray(s, s + 34);
  const info = {
    minBlock: (si[0]! << 8) | si[1]!,
    maxBlock: (si[2]! << 8) | si[3]!,
    maxFrameBytes: (si[7]! << 16) | (si[8]! << 8) | si[9]!,
    sampleRate: (si[10]! << 12) | (si[11]! << 4) | (si[12]! >> 4),
    channels: ((si[12]! >> 1) & 7) + 1,
    bitsPerSample: (((si[12]! & 1) << 4) | (si[13]! >> 4)) + 1,
    total: (si[13]! & 0x0f) * 2 ** 32 + ((si[14]! << 24) >>> 0) + (si[15]! << 16) + (si[16]! << 8) + si[17]!,
    bytes: si,
  };
  // walk the metadata blocks to the first frame
  let p = o + 4;
  for (;;) {
    if (p + 4 > b.length) return null;
    const last = (b[p]! & 0x80) !== 0;
    p += 4 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    if (last) break;
  }
  if (p > b.length) return null;
  return { ...info, firstFrame: p };
}

const CRC8 = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

/**
 * The frame header at b[i], checked (sync, reserved bits, codes, CRC-8, and agreement with
 * STREAMINFO): the sample it starts at and its block size; null when there is none.
 */
export function flacFrameHeader(b: Uint8Array, i: number, info: StreamInfo): { first: number; block: number } | null {
  if (i + 6 > b.length || b[i] !== 0xff || (b[i + 1]! & 0xfe) !== 0xf8) return null;
  const variable = (b[i + 1]! & 1) === 1;
  const bsCode = b[i + 2]! >> 4;
  const srCode = b[i + 2]! & 0x0f;
  const chCode = b[i + 3]! >> 4;
  const ssCode = (b[i + 3]! >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || (b[i + 3]! & 1) !== 0 || ssCode === 3) return null;
  const channels = chCode < 8 ? chCode + 1 : 2;
  if (channels !== info.channels) return null;
  // the coded number (UTF-8-like, up to 7 bytes)
  let p = i + 4;
  const lead = b[p]!;
  let extra = 0;
  let n: number;
  if (lead < 0x80) n = lead;
  else if (lead >= 0xc0 && lead < 0xfe) {
    extra = lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
    if (lead === 0xfe) extra = 6;
    n = lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const c = b[p + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return null;
      n = n * 64 + (c & 0x3f);
    }
  } else return null;
  p += 1 + extra;
  let block: number;
  if (bsCode === 1) block = 192;
  else if (bsCode <= 5) block = 576 << (bsCode - 2);
  else if (bsCode === 6) block = (b[p++] ?? -1) + 1;
  else if (bsCode === 7) {
    if (p + 2 > b.length) return null;
    block = ((b[p]! << 8) | b[p + 1]!) + 1;
    p += 2;
  } else block = 256 << (bsCode - 8);
  if (srCode === 12) p += 1;
  else if (srCode === 13 || srCode === 14) p += 2;
  if (p >= b.length) return null;
  let crc = 0;
  for (let k = i; k < p; k++) crc = CRC8[crc ^ b[k]!]!;
  if (crc !== b[p]) return null;
  if (block > info.maxBlock || block < 1) return null;
  const first = variable ? n : n * info.minBlock;
  if (first >= info.total) return null;
  return { first, block };
}

/**
 * Frames [from, to) of the FLAC file at `path` (clamped to it), with its sample rate and whole
 * length: exactly what decoding the whole file and slicing gives. `decodedFrames` is how many
 * frames the whole file decoded to: unless that equals the length STREAMINFO promises (so no
 * damaged part was dropped, which would have moved everything after it), the answer is null,
 * as it is for anything unexpected: then decode the file whole.
 */
export async function readFlacRange(path: string, from: number, to: number, decodedFrames: number): Promise<AudioRange | null> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const read = async (position: number, length: number): Promise<Uint8Array> => {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - position)));
      for (let got = 0; got < buf.length; ) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) return buf.subarray(0, got);
        got += bytesRead;
      }
      return buf;
    };
    const info = parseFlacHead(await read(0, HEAD_BYTES));
    if (!info || info.total === 0 || info.total !== decodedFrames || info.minBlock < 16 || info.maxBlock < info.minBlock) return null;
    const window = Math.max(2 * (info.maxFrameBytes || 0), 1 << 16);
    /** The first frame header at or after byte `at` (within one window), or null. */
    const frameFrom = async (at: number): Promise<{ offset: number; first: number; block: number } | null> => {
      const buf = await read(at, window + 32);
      for (let i = 0; i + 6 <= buf.length; i++) {
        if (buf[i] !== 0xff) continue;
        const h = flacFrameHeader(buf, i, info);
        if (h) return { offset: at + i, ...h };
      }
      return null;
    };
    /** The last frame starting at or before `sample`: binary search over bytes, then a scan. */
    const frameHolding = async (sample: number) => {
      let lo = (await frameFrom(info.firstFrame))!;
      if (!lo || lo.offset !== info.firstFrame || lo.first !== 0) return null;
      let hi = size;
      while (hi - lo.offset > window) {
        const mid = Math.floor((lo.offset + hi) / 2);
        const f = await frameFrom(mid);
        if (f && f.first <= sample && f.offset > lo.offset) lo = f;
        else hi = mid;
      }
      // (bounded: a file full of things that look like frame headers must not make this a long walk)
      for (let f = await frameFrom(lo.offset + 1); f && f.first <= sample && f.first > lo.first && f.offset <= hi + window; f = await frameFrom(f.offset + 1)) lo = f;
      return lo;
    };
    const a = Math.max(0, Math.min(info.total, Math.floor(from)));
    const b = Math.max(a, Math.min(info.total, Math.ceil(to)));
    const start = await frameHolding(a);
    const last = b > a ? await frameHolding(b - 1) : start;
    if (!start || !last) return null;
    const after = last.first + last.block >= info.total ? null : await frameFrom(last.offset + 1);
    if (after && after.first !== last.first + last.block) return null;
    const endByte = after ? after.offset : size;
    const endSample = after ? after.first : info.total;
    // a stream of STREAMINFO (the only metadata block; no length, no MD5 to check) and those frames
    const si = info.bytes.slice();
    si[13] = si[13]! & 0xf0;
    si.fill(0, 14, 34);
    const frames = await read(start.offset, endByte - start.offset);
    const stream = new Uint8Array(8 + 34 + frames.length);
    stream.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34]);
    stream.set(si, 8);
    stream.set(frames, 42);
    const { default: decode } = await import('@audio/decode-flac');
    let r: { channelData: Float32Array[]; sampleRate: number; errors?: unknown[] };
    try {
      r = await decode(stream);
    } catch {
      return null;
    }
    const chans = (r.channelData ?? []).slice(0, info.channels);
    if (chans.length !== info.channels || (r.errors?.length ?? 0) > 0 || chans[0]!.length !== endSample - start.first) return null;
    return { sampleRate: info.sampleRate, frames: info.total, channels: chans.map((c) => c.slice(a - start.first, b - start.first)) };
  } finally {
    await fh.close();
  }
}
