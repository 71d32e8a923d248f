import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire, WireError } from '../../../src-shared/ipc/wire';

describe('wire codec', () => {
  it('round-trips nested typed arrays and plain values', () => {
    const msg = {
      seq: 7,
      name: 'Ünïcödé take.wav',
      channels: [new Float32Array([0.5, -1, 0.25]), new Float32Array([1, 2])],
      bytes: new Uint8Array([1, 2, 3]),
      wf: { data: new Int16Array([-32768, 32767]) },
    };
    const back = decodeWire(encodeWire(msg)) as typeof msg;
    expect(back.seq).toBe(7);
    expect(back.name).toBe(msg.name);
    expect(back.channels[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(back.channels[0]!)).toEqual([0.5, -1, 0.25]);
    expect(Array.from(back.channels[1]!)).toEqual([1, 2]);
    expect(Array.from(back.bytes)).toEqual([1, 2, 3]);
    expect(Array.from(back.wf.data)).toEqual([-32768, 32767]);
  });
  it('hands back a large aligned array as a view without copying, and copies when unaligned', () => {
    const a = new Float32Array(4096).map((_, i) => i / 7);
    const enc = encodeWire({ a, b: new Uint8Array([9]), c: new Float64Array([0.5]) });
    const back = decodeWire(enc) as { a: Float32Array; b: Uint8Array; c: Float64Array };
    expect(back.a.buffer).toBe(enc.buffer);
    expect(back.a).toEqual(a);
    expect(Array.from(back.c)).toEqual([0.5]);
    const shifted = new Uint8Array(enc.byteLength + 1);
    shifted.set(enc, 1);
    const back2 = decodeWire(shifted.subarray(1)) as { a: Float32Array };
    expect(back2.a.buffer).not.toBe(shifted.buffer);
    expect(back2.a).toEqual(a);
  });
  it('copies small arrays so they never keep a whole large message alive', () => {
    // a track's reply: 16-bit audio converted to float (new arrays) plus a small waveform summary
    const audio = new Float32Array(1 << 16).map((_, i) => ((i % 2000) - 1000) / 32768);
    const wf = new Int8Array([1, -2, 3, -4]);
    const enc = encodeWire({ channels: [audio], wf, tiny: new Float32Array([0.25]) });
    const back = decodeWire(enc) as { channels: Float32Array[]; wf: Int8Array; tiny: Float32Array };
    expect(back.channels[0]).toEqual(audio);
    expect(back.channels[0]!.buffer).not.toBe(enc.buffer); // converted from int16
    for (const small of [back.wf, back.tiny]) {
      expect(small.buffer).not.toBe(enc.buffer);
      expect(small.buffer.byteLength).toBe(small.byteLength);
    }
    expect(Array.from(back.wf)).toEqual([1, -2, 3, -4]);
  });
  it('respects subarray views', () => {
    const big = new Float32Array([1, 2, 3, 4, 5]);
    const back = decodeWire(encodeWire({ a: big.subarray(1, 3) })) as { a: Float32Array };
    expect(Array.from(back.a)).toEqual([2, 3]);
  });
  it('rejects hostile frames with a WireError', () => {
    expect(() => decodeWire(new Uint8Array([1, 2, 3]))).toThrow(WireError);
    const good = encodeWire({ a: new Float32Array(4) });
    expect(() => decodeWire(good.subarray(0, good.byteLength - 4))).toThrow(WireError);
    const fake = encodeWire({ a: { $bin: ['f32', 0, 1e9] } });
    expect(() => decodeWire(fake)).toThrow(WireError);
    const badKind = encodeWire({ a: { $bin: ['evil', 0, 0] } });
    expect(() => decodeWire(badKind)).toThrow(WireError);
  });
});

import { chunkMessageId, encodeFrames, frameStream, FrameAssembler } from '../../../src-shared/ipc/wire';
const toFrames = (encoded: Uint8Array, id: number, size?: number) => encodeFrames({ raw: encoded }, id, size);
describe('chunked frames', () => {
  it('splits a large message and reassembles it in order or out of order', () => {
    const message = { seq: 1, a: new Float32Array(1000).map((_, i) => i) };
    const frames = encodeFrames(message, 42, 1000);
    expect(frames.length).toBeGreaterThan(3);
    const asm = new FrameAssembler();
    const shuffled = [...frames].reverse();
    let out: Uint8Array | null = null;
    for (const f of shuffled) out = asm.push(f) ?? out;
    expect(Array.from(out!)).toEqual(Array.from(encodeWire(message))); // chunks rebuild the exact message
    const back = decodeWire(out!) as { a: Float32Array };
    expect(back.a[999]).toBe(999);
  });
  it('makes frames one at a time, names the message in each chunk and reports arrival', () => {
    const message = { a: new Float32Array(1000).map((_, i) => i) };
    const stream = frameStream(message, 77, 1000);
    const first = stream.next().value as Uint8Array;
    expect(chunkMessageId(first)).toBe(77);
    const rest = [...stream];
    expect([first, ...rest]).toEqual(encodeFrames(message, 77, 1000));
    expect(chunkMessageId(encodeWire({ x: 1 }))).toBeNull();
    const asm = new FrameAssembler();
    expect(asm.push(first)).toBeNull();
    expect(asm.progress(77)).toEqual({ got: 1000, total: encodeWire(message).byteLength });
    for (const f of rest) asm.push(f);
    expect(asm.progress(77)).toBeNull(); // complete: nothing in flight
  });
  it('passes small messages through and rejects hostile chunks', () => {
    const small = encodeWire({ x: 1 });
    expect(encodeFrames({ x: 1 }, 1)).toEqual([small]);
    const asm = new FrameAssembler(5000, 2);
    expect(asm.push(small)).toBe(small);
    const frames = toFrames(new Uint8Array(3000), 7, 1000);
    asm.push(frames[0]!);
    expect(() => asm.push(frames[0]!)).toThrow(WireError); // duplicate
    expect(asm.progress(7)).toBeNull(); // that message is dropped whole: it holds no place in flight
    expect(() => asm.push(frames[1]!)).toThrow(WireError); // and its later chunks do not begin it anew
    expect(asm.progress(7)).toBeNull();
    const big = toFrames(new Uint8Array(9000), 8, 1000);
    expect(() => big.forEach((f) => asm.push(f))).toThrow(WireError); // over maxBytes
    const bad = frames[1]!.slice();
    new DataView(bad.buffer).setUint32(12, 2500, true); // runs past the total
    expect(() => asm.push(bad)).toThrow(WireError);
    const changed = frames[2]!.slice();
    new DataView(changed.buffer).setUint32(8, 4000, true); // total changed mid-message
    expect(() => asm.push(changed)).toThrow(WireError);
    const a = new FrameAssembler(1e9, 1);
    a.push(toFrames(new Uint8Array(3000), 1, 1000)[0]!);
    expect(() => a.push(toFrames(new Uint8Array(3000), 2, 1000)[0]!)).toThrow(WireError); // too many in flight
    // bad chunks never use up the places in flight for good
    const b = new FrameAssembler(1e9, 2);
    for (let id = 10; id < 30; id++) {
      const f = toFrames(new Uint8Array(3000), id, 1000);
      b.push(f[0]!);
      expect(() => b.push(f[0]!)).toThrow(WireError);
    }
    const good = toFrames(new Uint8Array(3000).fill(3), 40, 1000);
    const whole = good.map((f) => b.push(f)).at(-1)!;
    expect((decodeWire(whole) as { raw: Uint8Array }).raw).toEqual(new Uint8Array(3000).fill(3));
  });
});

describe('16-bit audio on the wire', () => {
  const pcm16 = (n: number) => Float32Array.from({ length: n }, (_, i) => (((i * 7919) % 65536) - 32768) / 32768);

  it('sends exact 16-bit float audio as int16 and gives back the identical Float32Array', () => {
    const a = pcm16(50_000);
    a[0] = -1;
    a[1] = 32767 / 32768;
    const enc = encodeWire({ a });
    expect(enc.byteLength).toBeLessThan(50_000 * 2 + 200); // half of float32
    const back = decodeWire(enc) as { a: Float32Array };
    expect(back.a).toBeInstanceOf(Float32Array);
    expect(back.a).toEqual(a);
    expect(Buffer.from(back.a.buffer, back.a.byteOffset, back.a.byteLength).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('hands audio that travelled as 16-bit to the receiver to convert where it wants, with the same values; declining or other places get Float32Arrays', () => {
    const L = pcm16(40_000);
    const R = pcm16(40_000).reverse();
    const message = { result: { ok: true, value: { blob: 'b', sampleRate: 44100, channels: [L, R], waveform: { channels: 2, sampleRate: 44100, bytes: new Int8Array(8) } } }, loose: pcm16(5000) };
    const seen: { pcm: Int16Array[]; rate: number }[] = [];
    const made = [new Float32Array(40_000), new Float32Array(40_000)];
    const back = decodeWire(encodeWire(message), {
      pcm16Audio: (pcm, rate) => {
        seen.push({ pcm, rate });
        pcm.forEach((p, c) => p.forEach((v, i) => (made[c]![i] = v / 32768)));
        return made;
      },
    }) as { result: { value: { channels: Float32Array[]; waveform: { channels: number } } }; loose: Float32Array };
    expect(seen).toHaveLength(1);
    expect(seen[0]!.rate).toBe(44100);
    expect(seen[0]!.pcm.map((p) => p.length)).toEqual([40_000, 40_000]);
    expect(back.result.value.channels[0]).toBe(made[0]); // the receiver's arrays, not another copy
    expect(back.result.value.channels[0]).toEqual(L);
    expect(back.result.value.channels[1]).toEqual(R);
    expect(back.result.value.waveform.channels).toBe(2);
    expect(back.loose).toBeInstanceOf(Float32Array); // not audio: converted as before
    expect(back.loose).toEqual(message.loose);
    const declined = decodeWire(encodeWire(message), { pcm16Audio: () => null }) as typeof back;
    expect(declined.result.value.channels[1]).toBeInstanceOf(Float32Array);
    expect(declined.result.value.channels[1]).toEqual(R);
  });

  it('keeps float32 for anything that is not exactly 16-bit: other values, NaN, -0, +1, short arrays', () => {
    const cases: Float32Array[] = [];
    const off = pcm16(10_000);
    off[5000] = 0.1; // not a multiple of 1/32768
    cases.push(off);
    const nan = pcm16(10_000);
    nan[3] = Number.NaN;
    cases.push(nan);
    const negZero = pcm16(10_000);
    negZero[7] = -0;
    cases.push(negZero);
    const one = pcm16(10_000);
    one[9] = 1; // 32768 does not fit int16
    cases.push(one);
    for (const a of cases) {
      const enc = encodeWire({ a });
      expect(enc.byteLength).toBeGreaterThan(a.byteLength);
      const back = decodeWire(enc) as { a: Float32Array };
      expect(Buffer.from(back.a.buffer, back.a.byteOffset, back.a.byteLength).equals(Buffer.from(a.buffer))).toBe(true);
    }
    expect(encodeWire({ a: pcm16(100) }).byteLength).toBeGreaterThan(400); // small: not worth checking
  });

  it('converts chunk by chunk at any chunk size, odd ones included', () => {
    const message = { seq: 3, channels: [pcm16(20_000), pcm16(12_345)], note: 'x' };
    const whole = encodeWire(message);
    for (const size of [999, 1000, 4096, 8191]) {
      const asm = new FrameAssembler();
      let out: Uint8Array | null = null;
      for (const f of encodeFrames(message, 5, size)) out = asm.push(f) ?? out;
      expect(Buffer.from(out!).equals(Buffer.from(whole))).toBe(true);
    }
    const back = decodeWire(whole) as typeof message;
    expect(back.channels[1]).toEqual(message.channels[1]);
  });
});
