// Binary framing for messages that carry audio over a WebSocket: a JSON header plus raw
// typed-array payloads (no base64, no number arrays). Layout:
//   "PNF1" | uint32 LE header length | header JSON (UTF-8) | blobs...
// Each typed array in the message is replaced in the JSON by {"$bin": [kind, offset, length]}.

const MAGIC = [0x50, 0x4e, 0x46, 0x31]; // "PNF1"

type Kind = 'u8' | 'i8' | 'i16' | 'f32' | 'f64';
type Typed = Uint8Array | Int8Array | Int16Array | Float32Array | Float64Array;

const CTORS = {
  u8: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

function kindOf(v: unknown): Kind | null {
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Int8Array) return 'i8';
  if (v instanceof Int16Array) return 'i16';
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  return null;
}

export function encodeWire(message: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const header = JSON.stringify(message, function (this: unknown, _key, value: unknown) {
    const kind = kindOf(value);
    if (!kind) return value;
    const t = value as Typed;
    const bytes = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
    const ref = { $bin: [kind, offset, t.length] };
    blobs.push(bytes);
    offset += bytes.byteLength;
    return ref;
  });
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + head.byteLength + offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.byteLength, true);
  out.set(head, 8);
  let p = 8 + head.byteLength;
  for (const b of blobs) {
    out.set(b, p);
    p += b.byteLength;
  }
  return out;
}

export class WireError extends Error {}

export function decodeWire(data: Uint8Array): unknown {
  if (data.byteLength < 8 || MAGIC.some((m, i) => data[i] !== m)) throw new WireError('not a PnF wire message');
  const headLen = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4, true);
  if (8 + headLen > data.byteLength) throw new WireError('truncated wire header');
  const header = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, 8 + headLen));
  const base = 8 + headLen;
  const blobBytes = data.byteLength - base;
  return JSON.parse(header, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$bin' in value) {
      const ref = (value as { $bin: unknown }).$bin;
      if (!Array.isArray(ref) || ref.length !== 3) throw new WireError('bad binary reference');
      const [kind, off, len] = ref as [unknown, unknown, unknown];
      if (typeof kind !== 'string' || !(kind in CTORS)) throw new WireError('bad binary kind');
      const Ctor = CTORS[kind as Kind];
      if (!Number.isInteger(off) || !Number.isInteger(len) || (off as number) < 0 || (len as number) < 0) throw new WireError('bad binary range');
      const byteLen = (len as number) * Ctor.BYTES_PER_ELEMENT;
      if ((off as number) + byteLen > blobBytes) throw new WireError('binary range out of bounds');
      // Copy into a fresh, aligned buffer (the received frame may be unaligned).
      const copy = data.slice(base + (off as number), base + (off as number) + byteLen);
      return new Ctor(copy.buffer, 0, len as number);
    }
    return value;
  });
}

// ---- chunking ---------------------------------------------------------------------------
// Large messages (a whole track of audio) travel as several WebSocket frames so that no
// single frame is gigabytes long (browsers' devtools, proxies and both ends' buffers cope
// badly with that). Chunk frame: "PNFC" | uint32 message id | uint32 index | uint32 count | bytes.

const CHUNK_MAGIC = [0x50, 0x4e, 0x46, 0x43]; // "PNFC"
export const CHUNK_BYTES = 8 * 1024 * 1024;
const CHUNK_HEADER = 16;

/** The frames to send for one encoded message (just the message when it is small). */
export function toFrames(encoded: Uint8Array, messageId: number, chunkBytes = CHUNK_BYTES): Uint8Array[] {
  if (encoded.byteLength <= chunkBytes) return [encoded];
  const count = Math.ceil(encoded.byteLength / chunkBytes);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const part = encoded.subarray(i * chunkBytes, Math.min(encoded.byteLength, (i + 1) * chunkBytes));
    const f = new Uint8Array(CHUNK_HEADER + part.byteLength);
    f.set(CHUNK_MAGIC, 0);
    const v = new DataView(f.buffer);
    v.setUint32(4, messageId >>> 0, true);
    v.setUint32(8, i, true);
    v.setUint32(12, count, true);
    f.set(part, CHUNK_HEADER);
    frames.push(f);
  }
  return frames;
}

/** Reassembles chunked frames; plain frames pass straight through. Bounded in size and count. */
export class FrameAssembler {
  private partial = new Map<number, { parts: Uint8Array[]; got: number; bytes: number }>();
  constructor(
    private readonly maxBytes = 2 ** 31 - 1,
    private readonly maxPending = 8,
  ) {}

  /** Returns a complete encoded message, or null while one is still arriving. */
  push(frame: Uint8Array): Uint8Array | null {
    if (frame.byteLength < 4 || CHUNK_MAGIC.some((m, i) => frame[i] !== m)) return frame;
    if (frame.byteLength < CHUNK_HEADER) throw new WireError('truncated chunk header');
    const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const id = v.getUint32(4, true);
    const index = v.getUint32(8, true);
    const count = v.getUint32(12, true);
    if (count < 1 || index >= count || count > Math.ceil(this.maxBytes / 1024)) throw new WireError('bad chunk numbering');
    let p = this.partial.get(id);
    if (!p) {
      if (this.partial.size >= this.maxPending) throw new WireError('too many messages in flight');
      p = { parts: new Array<Uint8Array>(count), got: 0, bytes: 0 };
      this.partial.set(id, p);
    }
    if (p.parts.length !== count) throw new WireError('chunk count changed');
    if (p.parts[index]) throw new WireError('duplicate chunk');
    const body = frame.slice(CHUNK_HEADER);
    p.bytes += body.byteLength;
    if (p.bytes > this.maxBytes) {
      this.partial.delete(id);
      throw new WireError('message too large');
    }
    p.parts[index] = body;
    p.got++;
    if (p.got < count) return null;
    this.partial.delete(id);
    const out = new Uint8Array(p.bytes);
    let o = 0;
    for (const part of p.parts) {
      out.set(part, o);
      o += part.byteLength;
    }
    return out;
  }
}
