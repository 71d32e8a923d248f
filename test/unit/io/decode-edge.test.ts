// Generated edge cases for the decoder: every bit depth and layout, and every way a file
// can be empty, truncated, damaged, mislabelled or unsupported.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError, type ErrorCode } from '../../../src-shared/ipc/result';
import { decodeAudioBytes, decodeAudioFile, sniffFormat, MAX_FILE_BYTES } from '../../../src-main/io/decode';
import { EVAL_DIR, ffmpeg, ffmpegDecode, makeWav, pack, requireEvalDir, requireTool } from './helpers';

async function expectCoded(p: Promise<unknown>, code: ErrorCode, ...words: (string | RegExp)[]): Promise<CodedError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a CodedError').toBeInstanceOf(CodedError);
  const ce = err as CodedError;
  expect(ce.code, ce.message).toBe(code);
  for (const w of words) expect(ce.message).toMatch(w);
  expect(ce.message).not.toMatch(/\n\s+at /); // no stack traces in user text
  return ce;
}

const FLAC = () => join(EVAL_DIR, 'piano/ishizaka_wtc1_fugue7.flac');
const MP3 = () => join(EVAL_DIR, 'piano/musopen_chopin_nocturne_op15no3.mp3');
const OGG = () => join(EVAL_DIR, 'piano/salamander_c4_note.ogg');

describe('WAV sample formats', () => {
  it('8-bit unsigned PCM', async () => {
    const d = await decodeAudioBytes(makeWav({ bits: 8, data: pack([[0, 128, 255, 64]], 'u8') }), 'a.wav');
    expect(d.format).toBe('wav');
    expect(Array.from(d.channels[0]!)).toEqual([-1, 0, 127 / 128, -0.5]);
  });
  it('16-bit PCM stereo keeps channel order', async () => {
    const d = await decodeAudioBytes(makeWav({ bits: 16, channels: 2, sampleRate: 48000, data: pack([[-32768, 16384], [32767, -1]], 's16') }), 'a.wav');
    expect(d.sampleRate).toBe(48000);
    expect(Array.from(d.channels[0]!)).toEqual([-1, 0.5]);
    expect(Array.from(d.channels[1]!)).toEqual([32767 / 32768, -1 / 32768]);
  });
  it('24-bit PCM', async () => {
    const d = await decodeAudioBytes(makeWav({ bits: 24, data: pack([[-8388608, 4194304, 8388607, -1]], 's24') }), 'a.wav');
    expect(Array.from(d.channels[0]!)).toEqual([-1, 0.5, Math.fround(8388607 / 8388608), Math.fround(-1 / 8388608)]);
  });
  it('32-bit PCM', async () => {
    const d = await decodeAudioBytes(makeWav({ bits: 32, data: pack([[-2147483648, 1073741824, 2147483647]], 's32') }), 'a.wav');
    expect(Array.from(d.channels[0]!)).toEqual([-1, 0.5, Math.fround(2147483647 / 2147483648)]);
  });
  it('12- and 20-bit PCM (left-justified in 2- and 3-byte containers)', async () => {
    const d12 = await decodeAudioBytes(makeWav({ bits: 12, data: pack([[0x7ff0, -0x8000]], 's16') }), 'a.wav');
    expect(Array.from(d12.channels[0]!)).toEqual([0x7ff0 / 32768, -1]);
    const d20 = await decodeAudioBytes(makeWav({ bits: 20, data: pack([[0x400000]], 's24') }), 'a.wav');
    expect(Array.from(d20.channels[0]!)).toEqual([0.5]);
  });
  it('32-bit float (values outside +-1 kept)', async () => {
    const d = await decodeAudioBytes(makeWav({ tag: 3, bits: 32, data: pack([[0.25, -1.5, 1e-8]], 'f32') }), 'a.wav');
    expect(Array.from(d.channels[0]!)).toEqual([0.25, -1.5, Math.fround(1e-8)]);
  });
  it('64-bit float', async () => {
    const d = await decodeAudioBytes(makeWav({ tag: 3, bits: 64, channels: 2, data: pack([[0.125, -0.75], [1, 0]], 'f64') }), 'a.wav');
    expect(Array.from(d.channels[0]!)).toEqual([0.125, -0.75]);
    expect(Array.from(d.channels[1]!)).toEqual([1, 0]);
  });
  it('WAVE_FORMAT_EXTENSIBLE PCM 24-bit, 6 channels', async () => {
    const vals = Array.from({ length: 6 }, (_, c) => [c * 100000, -c * 100000, c]);
    const d = await decodeAudioBytes(makeWav({ extensible: true, tag: 1, bits: 24, channels: 6, sampleRate: 96000, data: pack(vals, 's24') }), 'surround.wav');
    expect(d.channels.length).toBe(6);
    expect(d.sampleRate).toBe(96000);
    for (let c = 0; c < 6; c++) expect(Array.from(d.channels[c]!)).toEqual(vals[c]!.map((v) => Math.fround(v / 8388608) + 0));
  });
  it('WAVE_FORMAT_EXTENSIBLE float, 8 channels', async () => {
    const vals = Array.from({ length: 8 }, (_, c) => [c / 8, -c / 8]);
    const d = await decodeAudioBytes(makeWav({ extensible: true, tag: 3, bits: 32, channels: 8, data: pack(vals, 'f32') }), 'a.wav');
    expect(d.channels.map((c) => Array.from(c))).toEqual(vals);
  });
  it('6-channel 16-bit plain PCM', async () => {
    const vals = Array.from({ length: 6 }, (_, c) => [c * 1000, c * -1000]);
    const d = await decodeAudioBytes(makeWav({ bits: 16, channels: 6, data: pack(vals, 's16') }), 'a.wav');
    expect(d.channels.map((c) => Array.from(c))).toEqual(vals.map((v) => v.map((x) => x / 32768 + 0)));
  });
  it('A-law and mu-law', async () => {
    const a = await decodeAudioBytes(makeWav({ tag: 6, bits: 8, sampleRate: 8000, data: new Uint8Array([0xd5, 0x55, 0xaa, 0x2a]) }), 'a.wav');
    expect(Array.from(a.channels[0]!)).toEqual([8 / 32768, -8 / 32768, 32256 / 32768, -32256 / 32768]);
    const u = await decodeAudioBytes(makeWav({ tag: 7, bits: 8, sampleRate: 8000, data: new Uint8Array([0xff, 0x7f, 0x80, 0x00]) }), 'a.wav');
    expect(Array.from(u.channels[0]!)).toEqual([0, 0, 32124 / 32768, -32124 / 32768]);
  });
  it('RF64 with a ds64 chunk', async () => {
    const d = await decodeAudioBytes(makeWav({ riff: 'RF64', bits: 16, data: pack([[1, 2, 3]], 's16') }), 'long.wav');
    expect(Array.from(d.channels[0]!)).toEqual([1, 2, 3].map((x) => x / 32768));
    expect(d.warnings).toBeUndefined();
  });
  it('skips unknown chunks before fmt and a data size of 0xFFFFFFFF means "to the end"', async () => {
    const w = makeWav({ bits: 16, data: pack([[5, 6]], 's16'), before: [{ id: 'LIST', body: new Uint8Array(7) }], declaredDataSize: 0xffffffff });
    const d = await decodeAudioBytes(w, 'a.wav');
    expect(Array.from(d.channels[0]!)).toEqual([5 / 32768, 6 / 32768]);
    expect(d.warnings).toBeUndefined();
  });
  it('a 1-sample file', async () => {
    const d = await decodeAudioBytes(makeWav({ bits: 16, data: pack([[1234]], 's16') }), 'one.wav');
    expect(d.channels[0]!.length).toBe(1);
  });
});

describe('WAV problems', () => {
  it('0 bytes -> EMPTY_FILE', async () => {
    await expectCoded(decodeAudioBytes(new Uint8Array(0), 'take1.wav'), 'EMPTY_FILE', '"take1.wav"', /empty/);
  });
  it('valid header with 0 frames -> EMPTY_FILE', async () => {
    await expectCoded(decodeAudioBytes(makeWav({ bits: 16 }), 'take1.wav'), 'EMPTY_FILE', '"take1.wav"', /0 samples/);
  });
  it('interrupted recording (data size 0, audio follows) is recovered with a warning', async () => {
    const w = makeWav({ bits: 16, data: pack([[100, 200, 300]], 's16'), declaredDataSize: 0 });
    const d = await decodeAudioBytes(w, 'crash.wav');
    expect(Array.from(d.channels[0]!)).toEqual([100, 200, 300].map((x) => x / 32768));
    expect(d.warnings?.[0]).toMatch(/"crash.wav" has an unfinished header/);
    // ...but an empty data chunk followed by another chunk is just empty
    const e = makeWav({ bits: 16, data: new TextEncoder().encode('LIST\x04\x00\x00\x00abcd'), declaredDataSize: 0 });
    await expectCoded(decodeAudioBytes(e, 'empty.wav'), 'EMPTY_FILE', /0 samples/);
  });
  it('truncated header -> CORRUPT_FILE', async () => {
    const full = makeWav({ bits: 16, data: pack([[1, 2]], 's16') });
    for (const n of [4, 11, 20, 30]) {
      await expectCoded(decodeAudioBytes(full.subarray(0, n), 'take1.wav'), 'CORRUPT_FILE', '"take1.wav"', /header/, /Re-export/);
    }
  });
  it('truncated data: complete frames are kept, with a warning', async () => {
    const w = makeWav({ bits: 16, channels: 2, data: pack([[1, 2, 3, 4], [5, 6, 7, 8]], 's16') });
    const cut = w.subarray(0, w.length - 6); // 2.5 frames of 4 remain
    const d = await decodeAudioBytes(cut, 'take1.wav');
    expect(d.channels[0]!.length).toBe(2);
    expect(Array.from(d.channels[1]!)).toEqual([5 / 32768, 6 / 32768]);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings![0]).toMatch(/"take1.wav" is truncated/);
    expect(d.warnings![0]).toMatch(/Re-export/);
  });
  it('truncated data with less than one frame -> CORRUPT_FILE', async () => {
    const w = makeWav({ bits: 24, channels: 2, data: pack([[1], [2]], 's24') });
    await expectCoded(decodeAudioBytes(w.subarray(0, w.length - 1), 'take1.wav'), 'CORRUPT_FILE', '"take1.wav" is truncated', /not even one complete sample frame/);
  });
  it('a 2 GB data-size claim on a tiny file: no huge allocation, clear message', async () => {
    const before = process.memoryUsage();
    const t0 = performance.now();
    const header = makeWav({ bits: 16, channels: 2, declaredDataSize: 0x7ffffff0 });
    expect(header.length).toBe(44);
    const e = await expectCoded(decodeAudioBytes(header, 'take1.wav'), 'CORRUPT_FILE', '"take1.wav" is truncated', /2\.1 GB/, /44 bytes/, /Re-export/);
    expect(e.message).toBe(
      '"take1.wav" is truncated: the header promises 2.1 GB of audio but the file holds 44 bytes, not even one complete sample frame. Re-export it from the program that made it.',
    );
    // Same claim with a few real frames: decodes those, warns, stays small.
    const some = makeWav({ bits: 16, channels: 2, data: pack([[1, 2, 3], [4, 5, 6]], 's16'), declaredDataSize: 0x7ffffff0 });
    const d = await decodeAudioBytes(some, 'take1.wav');
    expect(d.channels[0]!.length).toBe(3);
    expect(d.warnings![0]).toMatch(/promises 2\.1 GB/);
    // RF64 claiming 64 GB
    const rf = makeWav({ riff: 'RF64', bits: 16, data: pack([[1, 2]], 's16'), ds64DataSize: 64 * 2 ** 30 });
    const d2 = await decodeAudioBytes(rf, 'huge.wav');
    expect(d2.channels[0]!.length).toBe(2);
    expect(d2.warnings![0]).toMatch(/68\.7 GB/);
    const after = process.memoryUsage();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(after.rss - before.rss).toBeLessThan(100 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(10 * 1024 * 1024);
  });
  it('NaN / Inf float samples -> BAD_SAMPLES with a count', async () => {
    const w = makeWav({ tag: 3, bits: 32, channels: 2, data: pack([[0, Number.NaN, 0.5], [Infinity, -Infinity, 0]], 'f32') });
    await expectCoded(decodeAudioBytes(w, 'render.wav'), 'BAD_SAMPLES', '"render.wav"', /contains 3 samples/, /Re-export/);
    const w64 = makeWav({ tag: 3, bits: 64, data: pack([[Number.NaN]], 'f64') });
    await expectCoded(decodeAudioBytes(w64, 'render.wav'), 'BAD_SAMPLES', /contains 1 sample that is not a number/);
  });
  it('more than 8 channels -> UNSUPPORTED_FORMAT', async () => {
    const w = makeWav({ bits: 16, channels: 9, data: new Uint8Array(18) });
    await expectCoded(decodeAudioBytes(w, 'atmos.wav'), 'UNSUPPORTED_FORMAT', '"atmos.wav"', /9 channels/, /1 to 8/);
  });
  it('absurd sample rates -> UNSUPPORTED_FORMAT; 0 channels or 0 Hz -> CORRUPT_FILE', async () => {
    await expectCoded(decodeAudioBytes(makeWav({ sampleRate: 12, data: new Uint8Array(2) }), 'a.wav'), 'UNSUPPORTED_FORMAT', /12 Hz/);
    await expectCoded(decodeAudioBytes(makeWav({ sampleRate: 4_000_000, data: new Uint8Array(2) }), 'a.wav'), 'UNSUPPORTED_FORMAT', /4000000 Hz/);
    await expectCoded(decodeAudioBytes(makeWav({ sampleRate: 0, data: new Uint8Array(2) }), 'a.wav'), 'CORRUPT_FILE', /0 Hz/);
    await expectCoded(decodeAudioBytes(makeWav({ channels: 0, data: new Uint8Array(2) }), 'a.wav'), 'CORRUPT_FILE', /0 channels/);
  });
  it('compressed WAV codecs and odd bit depths -> UNSUPPORTED_FORMAT naming them', async () => {
    await expectCoded(decodeAudioBytes(makeWav({ tag: 2, bits: 4, data: new Uint8Array(8) }), 'a.wav'), 'UNSUPPORTED_FORMAT', /Microsoft ADPCM/, /Supported:/);
    await expectCoded(decodeAudioBytes(makeWav({ tag: 3, bits: 16, data: new Uint8Array(8) }), 'a.wav'), 'UNSUPPORTED_FORMAT', /16-bit floating point/);
  });
  it('missing data chunk -> CORRUPT_FILE', async () => {
    const w = makeWav({ bits: 16 }).slice(0, 36); // RIFF + fmt only
    await expectCoded(decodeAudioBytes(w, 'a.wav'), 'CORRUPT_FILE', /no audio data chunk/);
  });
});

describe('other formats and content sniffing', () => {
  let dir = '';
  beforeAll(() => {
    requireEvalDir();
    requireTool('ffmpeg');
    dir = mkdtempSync(join(tmpdir(), 'pnf-io-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('decodes by content, not extension', async () => {
    const flac = readFileSync(FLAC());
    const d = await decodeAudioBytes(flac, 'actually-flac.wav');
    expect(d.format).toBe('flac');
    const m = await decodeAudioBytes(readFileSync(MP3()), 'song.ogg');
    expect(m.format).toBe('mp3');
    const w = await decodeAudioBytes(makeWav({ data: pack([[1]], 's16') }), 'noext');
    expect(w.format).toBe('wav');
  });

  it('sniffFormat', () => {
    expect(sniffFormat(readFileSync(FLAC()))).toBe('flac');
    expect(sniffFormat(readFileSync(MP3()))).toBe('mp3');
    expect(sniffFormat(readFileSync(OGG()))).toBe('ogg');
    expect(sniffFormat(makeWav({ data: new Uint8Array(2) }))).toBe('wav');
    expect(sniffFormat(makeWav({ riff: 'RF64', data: new Uint8Array(2) }))).toBe('wav');
    expect(sniffFormat(new TextEncoder().encode('hello, this is not audio at all'))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
  });

  it('unsupported bytes -> UNSUPPORTED_FORMAT listing what is supported', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    await expectCoded(decodeAudioBytes(junk, 'notes.txt'), 'UNSUPPORTED_FORMAT', '"notes.txt"', /not an audio file/, /WAV/, /FLAC/, /MP3/, /Ogg Vorbis/);
  });

  it('Ogg Opus and AIFF are named as unsupported', async () => {
    const opus = join(dir, 'x.opus');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.2', '-c:a', 'libopus', opus]);
    const bytes = readFileSync(opus);
    expect(sniffFormat(bytes)).toBeNull();
    await expectCoded(decodeAudioBytes(bytes, 'x.ogg'), 'UNSUPPORTED_FORMAT', '"x.ogg" is Ogg Opus', /Supported:/);
    const aiff = join(dir, 'x.aiff');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.05', aiff]);
    await expectCoded(decodeAudioBytes(readFileSync(aiff), 'x.aiff'), 'UNSUPPORTED_FORMAT', /is AIFF/);
  });

  it('MP3 variants match ffmpeg: mono, 48 kHz, MPEG-2 22.05 kHz, no Xing/LAME tag', async () => {
    const cases: [string, string[]][] = [
      ['mono.mp3', ['-ac', '1', '-ar', '44100', '-b:a', '96k']],
      ['s48.mp3', ['-ac', '2', '-ar', '48000', '-b:a', '192k']],
      ['mpeg2.mp3', ['-ac', '1', '-ar', '22050', '-b:a', '48k']],
      ['notag.mp3', ['-ac', '2', '-ar', '44100', '-b:a', '128k', '-write_xing', '0']],
    ];
    for (const [name, args] of cases) {
      const p = join(dir, name);
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=330:duration=1.3', '-c:a', 'libmp3lame', ...args, p]);
      const d = await decodeAudioBytes(readFileSync(p), name);
      const ref = ffmpegDecode(p);
      const ch = d.channels.length;
      expect(ch, name).toBe(args.includes('1') && args[args.indexOf('-ac') + 1] === '1' ? 1 : 2);
      expect(d.channels[0]!.length, name).toBe(ref.length / ch);
      let e = 0;
      let s = 0;
      for (let i = 0; i < d.channels[0]!.length; i++) {
        const r = ref[i * ch]!;
        s += r * r;
        e += (r - d.channels[0]![i]!) ** 2;
      }
      expect(10 * Math.log10(s / e), name).toBeGreaterThan(60);
    }
  });

  it('truncated FLAC keeps what is there and warns; a truncated FLAC header is CORRUPT_FILE', async () => {
    const flac = readFileSync(FLAC());
    const d = await decodeAudioBytes(flac.subarray(0, flac.length >> 1), 'fugue.flac');
    expect(d.channels[0]!.length).toBeGreaterThan(44100);
    expect(d.channels[0]!.length).toBeLessThan(882000);
    expect(d.warnings?.[0]).toMatch(/"fugue.flac" is truncated/);
    await expectCoded(decodeAudioBytes(flac.subarray(0, 20), 'fugue.flac'), 'CORRUPT_FILE', '"fugue.flac"', /header/);
  });

  it('truncated Ogg Vorbis and MP3 keep what is there and warn', async () => {
    const ogg = readFileSync(OGG());
    const o = await decodeAudioBytes(ogg.subarray(0, ogg.length >> 1), 'note.ogg');
    expect(o.channels[0]!.length).toBeGreaterThan(44100);
    expect(o.warnings?.[0]).toMatch(/"note.ogg" is truncated/);
    const mp3 = readFileSync(MP3());
    const m = await decodeAudioBytes(mp3.subarray(0, mp3.length >> 1), 'n.mp3');
    expect(m.channels[0]!.length).toBeGreaterThan(44100);
    expect(m.warnings?.[0]).toMatch(/"n.mp3" is truncated: its header promises 20.0 s/);
    // mpg123 and ffmpeg agree on what is decodable, to within one MP3 frame
    const p = join(dir, 'half.mp3');
    writeFileSync(p, mp3.subarray(0, mp3.length >> 1));
    expect(Math.abs(ffmpegDecode(p).length / 2 - m.channels[0]!.length)).toBeLessThanOrEqual(1152);
  });

  it('truncated Ogg Vorbis and MP3 headers are CORRUPT_FILE', async () => {
    const ogg = readFileSync(OGG());
    await expectCoded(decodeAudioBytes(ogg.subarray(0, 30), 'note.ogg'), 'CORRUPT_FILE', '"note.ogg"');
    const mp3 = readFileSync(MP3());
    await expectCoded(decodeAudioBytes(mp3.subarray(0, 200), 'n.mp3'), 'CORRUPT_FILE', '"n.mp3"');
  });

  it('damaged compressed data never leaks a raw library error', async () => {
    const flac = new Uint8Array(readFileSync(FLAC()));
    for (let i = 8192; i < flac.length; i += 997) flac[i] = (flac[i]! * 31 + 7) & 0xff;
    try {
      const d = await decodeAudioBytes(flac, 'garbled.flac');
      expect(d.channels[0]!.length).toBeGreaterThan(0);
    } catch (e) {
      expect(e).toBeInstanceOf(CodedError);
      expect((e as CodedError).message).toMatch(/"garbled.flac"/);
    }
  });
});

describe('decodeAudioFile', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pnf-io-file-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  it('reads a file and names it in errors', async () => {
    const p = join(dir, 'clip.wav');
    writeFileSync(p, makeWav({ data: pack([[1, 2]], 's16') }));
    expect((await decodeAudioFile(p)).channels[0]!.length).toBe(2);
    writeFileSync(join(dir, 'empty.wav'), new Uint8Array(0));
    await expectCoded(decodeAudioFile(join(dir, 'empty.wav')), 'EMPTY_FILE', '"empty.wav" is empty (0 bytes)');
    await expectCoded(decodeAudioFile(join(dir, 'missing.wav')), 'NOT_FOUND', '"missing.wav" was not found');
    mkdirSync(join(dir, 'folder.wav'));
    await expectCoded(decodeAudioFile(join(dir, 'folder.wav')), 'UNREADABLE', /is a folder/);
  });
  it('refuses files over 2 GiB before reading them', async () => {
    const p = join(dir, 'huge.wav');
    closeSync(openSync(p, 'w'));
    truncateSync(p, MAX_FILE_BYTES + 1); // sparse: no disk space used
    const t0 = performance.now();
    await expectCoded(decodeAudioFile(p), 'TOO_LARGE', '"huge.wav"', /2\.1 GB/);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
