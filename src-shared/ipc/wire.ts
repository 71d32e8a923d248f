// Binary framing for messages that carry audio over a WebSocket: a JSON header plus raw
// typed-array payloads (no base64, no number arrays). Layout:
//   "PNF1" | uint32 LE header length | header JSON (UTF-8) | pad to 8 | blobs (each padded to 8)
// Each typed array in the message is replaced in the JSON by {"$bin": [kind, offset, length]}
// (offset relative to the blob area). Blobs are 8-byte aligned so that the receiver can use
// them in place (views, no copies) whenever the frame itself is aligned.
// Audio decoded from 16-bit files is float32 holding exact multiples of 1/32768: a large
// Float32Array whose every value is one travels as 16-bit integers (kind "f32s16", half the
// bytes) and comes back as the identical Float32Array. Anything else travels as float32.

const MAGIC = [0x50, 0x4e, 0x46, 0x31]; // "PNF1"

type Kind = 'u8' | 'i8' | 'i16' | 'f32' | 'f64' | 'f32s16';
type Typed = Uint8Array | Int8Array | Int16Array | Float32Array | Float64Array;

/** The element type each kind is stored as on the wire. */
const CTORS = {
  u8: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  f32: Float32Array,
  f64: Float64Array,
  f32s16: Int16Array,
} as const;

/** Smallest Float32Array worth checking for exact 16-bit values (small ones go as they are). */
const S16_MIN_LENGTH = 4096;
const S16_SCALE = 32768;

/** Every value is k / 32768 for an integer k in [-32768, 32767] (no NaN, no -0). */
function isExactPcm16(a: Float32Array): boolean {
  if (a.length < S16_MIN_LENGTH) return false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]! * S16_SCALE;
    if (v !== Math.round(v) || v < -32768 || v > 32767 || Object.is(v, -0)) return false;
  }
  return true;
}

/** Bytes [from, to) of the little-endian int16 stream of exact-16-bit float samples, into dest. */
function writePcm16Bytes(src: Float32Array, from: number, to: number, dest: Uint8Array, destOffset: number): void {
  for (let i = from >> 1, last = (to + 1) >> 1; i < last; i++) {
    const v = Math.round(src[i]! * S16_SCALE);
    const b = 2 * i;
    if (b >= from) dest[destOffset + b - from] = v & 0xff;
    if (b + 1 < to) dest[destOffset + b + 1 - from] = (v >> 8) & 0xff;
  }
}

const align8 = (n: number) => (n + 7) & ~7;

function kindOf(v: unknown): Kind | null {
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Int8Array) return 'i8';
  if (v instanceof Int16Array) return 'i16';
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  return null;
}

/**
 * A run of bytes in a laid-out message: `write` puts its bytes [from, to) into dest at destOffset
 * (plain arrays are copied; exact-16-bit float arrays are converted on the fly, chunk by chunk).
 */
interface Segment {
  at: number;
  length: number;
  write(from: number, to: number, dest: Uint8Array, destOffset: number): void;
}

/** A message laid out as segments at offsets, so it can be written whole or in chunks. */
interface Layout {
  total: number;
  segments: Segment[];
}

const bytesSegment = (at: number, bytes: Uint8Array): Segment => ({
  at,
  length: bytes.byteLength,
  write: (from, to, dest, destOffset) => dest.set(bytes.subarray(from, to), destOffset),
});

function layoutWire(message: unknown): Layout {
  const blobs: Segment[] = [];
  let offset = 0;
  const header = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    const kind = kindOf(value);
    if (!kind) return value;
    const t = value as Typed;
    const s16 = t instanceof Float32Array && isExactPcm16(t);
    const seg = s16
      ? { at: offset, length: t.length * 2, write: (from: number, to: number, dest: Uint8Array, at: number) => writePcm16Bytes(t, from, to, dest, at) }
      : bytesSegment(offset, new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    const ref = { $bin: [s16 ? 'f32s16' : kind, offset, t.length] };
    blobs.push(seg);
    offset = align8(offset + seg.length);
    return ref;
  });
  const head = new TextEncoder().encode(header);
  const prefix = new Uint8Array(8);
  prefix.set(MAGIC, 0);
  new DataView(prefix.buffer).setUint32(4, head.byteLength, true);
  const base = align8(8 + head.byteLength);
  return {
    total: base + offset,
    segments: [bytesSegment(0, prefix), bytesSegment(8, head), ...blobs.map((b) => ({ ...b, at: base + b.at }))],
  };
}

/** Copy the part of a layout that falls in [from, from + dest.length) into dest. */
function fill(layout: Layout, from: number, dest: Uint8Array): void {
  const to = from + dest.byteLength;
  for (const seg of layout.segments) {
    const a = Math.max(from, seg.at);
    const b = Math.min(to, seg.at + seg.length);
    if (a < b) seg.write(a - seg.at, b - seg.at, dest, a - from);
  }
}

export function encodeWire(message: unknown): Uint8Array {
  const layout = layoutWire(message);
  const out = new Uint8Array(layout.total);
  fill(layout, 0, out);
  return out;
}

export class WireError extends Error {}

/**
 * WebSocket close code the web host sends a page when another page opened the project: one
 * editor at a time, so that two tabs never save over each other's work.
 */
export const TAKEN_OVER_CLOSE_CODE = 4001;

/**
 * The handover between two pages of the web host (not part of the app's Api: the Electron app
 * has one window per project). When a second page opens the project, the host first sends the
 * editing page HANDOVER_EVENT; that page saves what it has not saved yet and then asks
 * RELEASE_CHANNEL. Only then (or after the host's handover timeout) is it closed with
 * TAKEN_OVER_CLOSE_CODE and are the new page's requests served, so the new page opens the
 * project with the old page's last edits in it.
 */
export const HANDOVER_EVENT = 'web:handover';
export const RELEASE_CHANNEL = 'web:release';

/** The largest message either end takes: the page's assembler and the chunk headers count bytes in 31 bits. */
export const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/** A message longer than the limit: nothing of it was sent. */
export class MessageTooLargeError extends WireError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a message of ${bytes} bytes is over the ${limit}-byte limit`);
  }
}

/** A Float32Array that travelled as 16-bit integers, not yet converted (see DecodeOptions). */
class Pcm16 {
  constructor(readonly pcm: Int16Array) {}
  toFloat(): Float32Array {
    const out = new Float32Array(this.pcm.length);
    for (let i = 0; i < out.length; i++) out[i] = this.pcm[i]! / S16_SCALE;
    return out;
  }
}

export interface DecodeOptions {
  /**
   * Audio (an object with numeric `sampleRate` and `channels`) whose channels all travelled as
   * 16-bit integers: make its float channels here, e.g. straight into a playable buffer, instead
   * of as new Float32Arrays (a track would otherwise be held as message, floats and buffer at
   * once). Values must be pcm[i] / 32768. Return null to decline.
   */
  pcm16Audio?: (pcm: Int16Array[], sampleRate: number) => Float32Array[] | null;
}

/** `value` with every Pcm16 left in it converted to a Float32Array (in place; typed arrays are leaves). */
function convertRemaining(value: unknown): unknown {
  if (value instanceof Pcm16) return value.toFloat();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = convertRemaining(value[i]);
  } else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const k of Object.keys(value)) (value as Record<string, unknown>)[k] = convertRemaining((value as Record<string, unknown>)[k]);
  }
  return value;
}

/**
 * Decode a message. A typed array that is a large part of `data` (at least 1/16: a track's
 * channels) is a view into it where alignment allows (the caller hands over `data` and must
 * not reuse it); anything smaller is copied, so that a small array (a waveform summary) never
 * keeps a whole track's message alive after its audio has been converted or dropped.
 */
export function decodeWire(data: Uint8Array, opts: DecodeOptions = {}): unknown {
  if (data.byteLength < 8 || MAGIC.some((m, i) => data[i] !== m)) throw new WireError('not a PnF wire message');
  const headLen = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4, true);
  if (8 + headLen > data.byteLength) throw new WireError('truncated wire header');
  const header = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, 8 + headLen));
  const base = align8(8 + headLen);
  const blobBytes = Math.max(0, data.byteLength - base);
  const parsed: unknown = JSON.parse(header, (_key, value: unknown) => {
    if (opts.pcm16Audio && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Pcm16)) {
      const v = value as { sampleRate?: unknown; channels?: unknown };
      if (typeof v.sampleRate === 'number' && Array.isArray(v.channels) && v.channels.length > 0 && v.channels.every((c) => c instanceof Pcm16)) {
        const made = opts.pcm16Audio((v.channels as Pcm16[]).map((c) => c.pcm), v.sampleRate);
        if (made) v.channels = made;
      }
      if (!('$bin' in value)) return value;
    }
    if (value && typeof value === 'object' && '$bin' in value) {
      const ref = (value as { $bin: unknown }).$bin;
      if (!Array.isArray(ref) || ref.length !== 3) throw new WireError('bad binary reference');
      const [kind, off, len] = ref as [unknown, unknown, unknown];
      if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(CTORS, kind)) throw new WireError('bad binary kind');
      const Ctor = CTORS[kind as Kind];
      if (!Number.isInteger(off) || !Number.isInteger(len) || (off as number) < 0 || (len as number) < 0) throw new WireError('bad binary range');
      const byteLen = (len as number) * Ctor.BYTES_PER_ELEMENT;
      if ((off as number) + byteLen > blobBytes) throw new WireError('binary range out of bounds');
      const start = data.byteOffset + base + (off as number);
      const asView = start % Ctor.BYTES_PER_ELEMENT === 0 && byteLen * 16 >= data.buffer.byteLength;
      const stored =
        asView
          ? new Ctor(data.buffer as ArrayBuffer, start, len as number)
          : new Ctor(data.slice(base + (off as number), base + (off as number) + byteLen).buffer, 0, len as number);
      return kind === 'f32s16' ? new Pcm16(stored as Int16Array) : stored;
    }
    return value;
  });
  return convertRemaining(parsed);
}

// ---- chunking ---------------------------------------------------------------------------
// Large messages (a whole track of audio) travel as several WebSocket frames so that no
// single frame is gigabytes long (browsers' devtools, proxies and both ends' buffers cope
// badly with that). Chunk frame:
//   "PNFC" | uint32 message id | uint32 total bytes | uint32 byte offset | bytes

const CHUNK_MAGIC = [0x50, 0x4e, 0x46, 0x43]; // "PNFC"
export const CHUNK_BYTES = 8 * 1024 * 1024;
const CHUNK_HEADER = 16;

/**
 * The frames to send for one message, made one at a time as they are taken (so a sender that
 * waits for its socket to drain holds one chunk, not the whole message): the encoded message
 * itself when it is small, else chunk frames written straight from the message's arrays.
 */
export function* frameStream(
  message: unknown,
  messageId: number,
  chunkBytes = CHUNK_BYTES,
  maxBytes = MAX_MESSAGE_BYTES,
): Generator<Uint8Array, void, undefined> {
  const layout = layoutWire(message);
  if (layout.total > maxBytes) throw new MessageTooLargeError(layout.total, maxBytes);
  if (layout.total <= chunkBytes) {
    const out = new Uint8Array(layout.total);
    fill(layout, 0, out);
    yield out;
    return;
  }
  for (let at = 0; at < layout.total; at += chunkBytes) {
    const len = Math.min(chunkBytes, layout.total - at);
    const f = new Uint8Array(CHUNK_HEADER + len);
    f.set(CHUNK_MAGIC, 0);
    const v = new DataView(f.buffer);
    v.setUint32(4, messageId >>> 0, true);
    v.setUint32(8, layout.total, true);
    v.setUint32(12, at, true);
    fill(layout, at, f.subarray(CHUNK_HEADER));
    yield f;
  }
}

/** All frames of one message at once (see frameStream). */
export function encodeFrames(message: unknown, messageId: number, chunkBytes = CHUNK_BYTES): Uint8Array[] {
  return [...frameStream(message, messageId, chunkBytes)];
}

/** The message id of a chunk frame, or null for a plain frame (for progress, before push). */
export function chunkMessageId(frame: Uint8Array): number | null {
  if (frame.byteLength < CHUNK_HEADER || CHUNK_MAGIC.some((m, i) => frame[i] !== m)) return null;
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(4, true);
}

/**
 * Reassembles chunked frames into one preallocated buffer (one copy per byte); plain frames
 * pass straight through. Bounded in message size and in messages in flight.
 */
export class FrameAssembler {
  private partial = new Map<number, { buf: Uint8Array; got: number; seen: Set<number> }>();
  /** Messages dropped for a bad chunk (the last 64): their later chunks are refused, not begun anew. */
  private dropped = new Set<number>();
  constructor(
    private readonly maxBytes = MAX_MESSAGE_BYTES,
    private readonly maxPending = 8,
  ) {}

  /** How much of a chunked message still arriving is in: {got, total} bytes, or null. */
  progress(messageId: number): { got: number; total: number } | null {
    const p = this.partial.get(messageId);
    return p ? { got: p.got, total: p.buf.byteLength } : null;
  }

  /** Returns a complete encoded message, or null while one is still arriving. */
  push(frame: Uint8Array): Uint8Array | null {
    if (frame.byteLength < 4 || CHUNK_MAGIC.some((m, i) => frame[i] !== m)) return frame;
    if (frame.byteLength < CHUNK_HEADER) throw new WireError('truncated chunk header');
    const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const id = v.getUint32(4, true);
    const total = v.getUint32(8, true);
    const at = v.getUint32(12, true);
    const body = frame.subarray(CHUNK_HEADER);
    if (total < 1 || total > this.maxBytes) throw new WireError('message too large');
    if (at + body.byteLength > total || body.byteLength === 0) throw new WireError('bad chunk range');
    if (this.dropped.has(id)) throw new WireError('chunk of a dropped message');
    let p = this.partial.get(id);
    if (!p) {
      if (this.partial.size >= this.maxPending) throw new WireError('too many messages in flight');
      p = { buf: new Uint8Array(total), got: 0, seen: new Set() };
      this.partial.set(id, p);
    }
    // a message with a bad chunk is dropped whole, so it cannot hold a place among maxPending forever
    const drop = (why: string) => {
      this.partial.delete(id);
      this.dropped.add(id);
      if (this.dropped.size > 64) this.dropped.delete(this.dropped.values().next().value!);
      return new WireError(why);
    };
    if (p.buf.byteLength !== total) throw drop('chunk total changed');
    if (p.seen.has(at)) throw drop('duplicate chunk');
    p.seen.add(at);
    p.buf.set(body, at);
    p.got += body.byteLength;
    if (p.got > total) throw drop('overlapping chunks');
    if (p.got < total) return null;
    this.partial.delete(id);
    return p.buf;
  }
}
