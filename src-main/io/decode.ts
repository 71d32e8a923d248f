// Audio import: WAV (own parser), FLAC, MP3, Ogg Vorbis (per-codec MIT @audio/decode-*).
//
// Rules:
// * The format is decided by the file's CONTENT (magic bytes), never by its extension.
// * The output keeps the original sample rate and channel count, planar Float32Array per channel.
// * Every failure is a CodedError whose message names the file, says what is wrong and
//   what to do. Library exceptions are wrapped; no stack trace reaches the user.
// * Nothing is ever allocated from a size the file merely CLAIMS: buffers are sized from
//   the bytes actually present.
//
// Truncated audio (a WAV data chunk shorter than its header declares, a FLAC stream with
// fewer samples than STREAMINFO promises): a recorder that crashed or a copy that stopped
// early is the usual cause, and the audio that IS there is what the user wants back. So we
// decode every COMPLETE frame present and report the truncation in `warnings` (plain words:
// how much was promised, how much was kept, what to do). Never silently. If not even one
// complete frame is present the file is CORRUPT_FILE with the same kind of message.
// A WAV data size of 0xFFFFFFFF (streaming writers, RF64 placeholder) means "to the end of
// the file" and is not a truncation.

import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { CodedError } from '../../src-shared/ipc/result';
import { errno, isAbsent, isDenied } from './errno';
import { fileTooLargeText, MAX_IMPORT_BYTES } from '../../src-shared/ipc/contract';
import { formatBytes } from '../../src-shared/audio/format';
import type { AudioData } from '../../src-shared/audio/types';

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg';

export interface DecodedAudio extends AudioData {
  format: AudioFormat;
  /** Non-fatal problems the user should hear about (e.g. a truncated file was partly recovered). */
  warnings?: string[];
}

/** Largest file we read into memory: the importer's limit, one number for every way in. */
export const MAX_FILE_BYTES = MAX_IMPORT_BYTES;
export const MAX_CHANNELS = 8;
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;

export const SUPPORTED_FORMATS_TEXT = 'WAV (PCM 8/16/24/32-bit, float 32/64, A-law, mu-law), FLAC, MP3 and Ogg Vorbis';

// ---------------------------------------------------------------------------------------
// helpers

const q = (name: string) => `"${name}"`;

const fmtSeconds = (s: number) => (s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`);

function ascii(bytes: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Short, single-line, stack-free text from anything a library threw. */
function libMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  const line = (raw.split('\n')[0] ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'unknown error';
}

function checkRateAndChannels(name: string, fmt: string, sampleRate: number, channels: number): void {
  if (!Number.isFinite(channels) || channels < 1) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: its ${fmt} header says it has ${channels} channels. Re-export it from the program that made it.`);
  }
  if (channels > MAX_CHANNELS) {
    throw new CodedError(
      'UNSUPPORTED_FORMAT',
      `${q(name)} has ${channels} channels; PnF Studio opens files with 1 to ${MAX_CHANNELS} channels. Export a stereo or mono mix and open that.`,
    );
  }
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: its ${fmt} header gives a sample rate of ${sampleRate} Hz. Re-export it from the program that made it.`);
  }
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new CodedError(
      'UNSUPPORTED_FORMAT',
      `${q(name)} has a sample rate of ${sampleRate} Hz; PnF Studio opens ${MIN_SAMPLE_RATE} Hz to ${MAX_SAMPLE_RATE} Hz. Convert it to a common rate (e.g. 44100 or 48000 Hz) and open that.`,
    );
  }
}

/** Count NaN/Inf samples; throw BAD_SAMPLES if any. */
function checkFinite(name: string, channels: Float32Array[]): void {
  let bad = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      const v = ch[i]!;
      if (v - v !== 0) bad++; // NaN or +-Inf
    }
  }
  if (bad > 0) {
    throw new CodedError(
      'BAD_SAMPLES',
      `${q(name)} contains ${bad} sample${bad === 1 ? '' : 's'} that ${bad === 1 ? 'is' : 'are'} not a number (NaN or infinity), so it cannot be edited safely. Re-export it from the program that made it (as 16- or 24-bit PCM if possible).`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// sniffing

/** Where the audio starts: after any ID3v2 tags at the start (up to four). */
export function afterId3v2(b: Uint8Array): number {
  let o = 0;
  for (let guard = 0; guard < 4; guard++) {
    const s = id3v2Size(b.subarray(o));
    if (!s) break;
    o += s;
  }
  return o;
}

function id3v2Size(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  if (b[3]! > 4 || ((b[6]! | b[7]! | b[8]! | b[9]!) & 0x80) !== 0) return 0;
  const size = (b[6]! << 21) | (b[7]! << 14) | (b[8]! << 7) | b[9]!;
  const footer = (b[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

export interface MpegHeader {
  version: 1 | 2 | 25;
  layer: 1 | 2 | 3;
  bitrate: number; // kbit/s
  sampleRate: number;
  padding: number;
  channels: 1 | 2;
  frameBytes: number;
  samplesPerFrame: number;
}

const MPEG_RATES: Record<1 | 2 | 25, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 25: [11025, 12000, 8000] };
const BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V1_L2 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384];
const BITRATES_V1_L1 = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448];
const BITRATES_V2_L1 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
const BITRATES_V2_L23 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

export function parseMpegHeader(b: Uint8Array, o: number): MpegHeader | null {
  if (o + 4 > b.length) return null;
  const b1 = b[o + 1]!;
  const b2 = b[o + 2]!;
  const b3 = b[o + 3]!;
  if (b[o] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const v = (b1 >> 3) & 3;
  const l = (b1 >> 1) & 3;
  if (v === 1 || l === 0) return null; // reserved version / layer
  const version: 1 | 2 | 25 = v === 3 ? 1 : v === 2 ? 2 : 25;
  const layer = (4 - l) as 1 | 2 | 3;
  const bi = b2 >> 4;
  const si = (b2 >> 2) & 3;
  if (bi === 0 || bi === 15 || si === 3) return null; // free format / bad / reserved
  const table =
    version === 1 ? (layer === 3 ? BITRATES_V1_L3 : layer === 2 ? BITRATES_V1_L2 : BITRATES_V1_L1) : layer === 1 ? BITRATES_V2_L1 : BITRATES_V2_L23;
  const bitrate = table[bi]!;
  const sampleRate = MPEG_RATES[version][si]!;
  const padding = (b2 >> 1) & 1;
  const channels: 1 | 2 = b3 >> 6 === 3 ? 1 : 2;
  let frameBytes: number;
  let samplesPerFrame: number;
  if (layer === 1) {
    frameBytes = (Math.floor((12 * bitrate * 1000) / sampleRate) + padding) * 4;
    samplesPerFrame = 384;
  } else if (layer === 2 || version === 1) {
    frameBytes = Math.floor((144 * bitrate * 1000) / sampleRate) + padding;
    samplesPerFrame = 1152;
  } else {
    frameBytes = Math.floor((72 * bitrate * 1000) / sampleRate) + padding;
    samplesPerFrame = 576;
  }
  return { version, layer, bitrate, sampleRate, padding, channels, frameBytes, samplesPerFrame };
}

/** Find the first MPEG audio frame at or after `from` (confirmed by a second frame when the file is long enough). */
export function findMpegFrame(b: Uint8Array, from: number, maxScan: number): { offset: number; header: MpegHeader } | null {
  const end = Math.min(b.length - 4, from + maxScan);
  for (let o = from; o <= end; o++) {
    if (b[o] !== 0xff) continue;
    const h = parseMpegHeader(b, o);
    if (!h) continue;
    const next = o + h.frameBytes;
    if (next + 4 <= b.length) {
      const h2 = parseMpegHeader(b, next);
      if (!h2 || h2.version !== h.version || h2.layer !== h.layer || h2.sampleRate !== h.sampleRate) continue;
    } else if (o !== from) {
      continue; // an unconfirmed sync word in the middle of junk: not enough evidence
    }
    return { offset: o, header: h };
  }
  return null;
}

type Sniff = { format: AudioFormat } | { format: null; what: string | null };

function sniffDetailed(b: Uint8Array): Sniff {
  if (b.length >= 4) {
    const tag = ascii(b, 0, 4);
    if ((tag === 'RIFF' || tag === 'RF64' || tag === 'BW64') && (b.length < 12 || ascii(b, 8, 4) === 'WAVE')) return { format: 'wav' };
    if (tag === 'RIFX') return { format: null, what: 'a big-endian WAV (RIFX)' };
    if (tag === 'fLaC') return { format: 'flac' };
    if (tag === 'OggS') {
      // First packet of the first page names the codec.
      if (b.length < 27) return { format: 'ogg' }; // let the decoder report the truncation
      const body = 27 + b[26]!;
      const head = ascii(b, body, 8);
      if (head.startsWith('\x01vorbis')) return { format: 'ogg' };
      if (head === 'OpusHead') return { format: null, what: 'Ogg Opus' };
      if (head.startsWith('\x7fFLAC')) return { format: null, what: 'FLAC inside an Ogg container' };
      if (head.startsWith('Speex')) return { format: null, what: 'Ogg Speex' };
      if (head.slice(1, 7) === 'theora') return { format: null, what: 'an Ogg video (Theora)' };
      if (b.length < body + 8) return { format: 'ogg' };
      return { format: null, what: 'an Ogg file with an unknown codec' };
    }
    if (tag === 'FORM' && b.length >= 12 && (ascii(b, 8, 4) === 'AIFF' || ascii(b, 8, 4) === 'AIFC')) return { format: null, what: 'AIFF' };
    if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { format: null, what: 'WebM/Matroska' };
    if (b.length >= 8 && ascii(b, 4, 4) === 'ftyp') return { format: null, what: 'MP4/M4A (AAC or ALAC)' };
    if (tag === 'caff') return { format: null, what: 'Core Audio (CAF)' };
    if (tag === '.snd') return { format: null, what: 'Sun/NeXT AU' };
    if (ascii(b, 0, 4) === '#!AM') return { format: null, what: 'AMR' };
  }
  // MP3: optional ID3v2 tag(s), then an MPEG audio frame.
  const o = afterId3v2(b);
  if (o > 0 && o + 4 <= b.length && ascii(b, o, 4) === 'fLaC') return { format: 'flac' };
  if (o > 0 && o >= b.length) return { format: 'mp3' }; // ID3 tag only: decoder reports "no audio"
  const f = findMpegFrame(b, o, o > 0 ? 64 * 1024 : 0);
  if (f) {
    if (f.header.layer === 3) return { format: 'mp3' };
    return { format: null, what: `MPEG layer ${f.header.layer === 2 ? 'II (MP2)' : 'I (MP1)'}` };
  }
  // AAC in ADTS: 0xFFF sync with layer bits 00.
  if (b.length >= 2 && b[o] === 0xff && (b[o + 1]! & 0xf6) === 0xf0) return { format: null, what: 'AAC (ADTS)' };
  return { format: null, what: null };
}

/** The audio format of some bytes, by their content (magic bytes) only; null when we don't decode it. */
export function sniffFormat(bytes: Uint8Array): AudioFormat | null {
  return sniffDetailed(bytes).format;
}

// ---------------------------------------------------------------------------------------
// WAV

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const KSDATAFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const WAV_CODEC_NAMES: Record<number, string> = {
  2: 'Microsoft ADPCM',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x50: 'MPEG audio',
  0x55: 'MP3',
  0x161: 'Windows Media Audio',
  0xff: 'AAC',
};

function alawToFloat(a: number): number {
  a ^= 0x55;
  const sign = a & 0x80;
  const exp = (a >> 4) & 7;
  const mant = a & 0x0f;
  let v = exp === 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (exp - 1);
  v = sign ? v : -v;
  return v / 32768;
}

function mulawToFloat(u: number): number {
  u = ~u & 0xff;
  const sign = u & 0x80;
  const exp = (u >> 4) & 7;
  const mant = u & 0x0f;
  let v = (((mant << 3) + 0x84) << exp) - 0x84;
  v = sign ? -v : v;
  return v === 0 ? 0 : v / 32768;
}

/** Where a WAV file's samples are and how to read them (from its header). */
interface WavLayout {
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  bytesPerSample: number;
  frameBytes: number;
  dataOffset: number;
  /** Complete frames present (the smaller of what the header declares and what the file holds). */
  frames: number;
  warnings: string[];
}

/** Thrown by parseWavLayout when the header reaches past the bytes it was given (a range read then reads it all). */
class HeaderBeyondPrefix extends Error {}

/**
 * A WAV file's layout from its first bytes `b`; `fileBytes` is the whole file's size (b may be
 * just its beginning: a range read). Throws the user-facing error for a damaged or unsupported file.
 */
function parseWavLayout(b: Uint8Array, name: string, fileBytes = b.length): WavLayout {
  const need = (end: number) => {
    if (end > b.length && end <= fileBytes) throw new HeaderBeyondPrefix();
  };
  const truncatedHeader = (what: string) =>
    new CodedError('CORRUPT_FILE', `${q(name)} is damaged: the file ends inside its WAV header (${what}; the file holds ${formatBytes(fileBytes)}). Re-export it from the program that made it.`);
  const badHeader = (what: string) =>
    new CodedError('CORRUPT_FILE', `${q(name)} is damaged: its WAV header is invalid (${what}). Re-export it from the program that made it.`);
  if (fileBytes < 12) throw truncatedHeader('no room for the RIFF header');
  need(12);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const riff = ascii(b, 0, 4);
  if (ascii(b, 8, 4) !== 'WAVE') {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: it starts like a WAV file but the "WAVE" marker is missing. Re-export it from the program that made it.`);
  }
  const isRf64 = riff === 'RF64' || riff === 'BW64';
  let ds64DataSize: number | null = null;

  let fmt: { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | null = null;
  let dataOffset = -1;
  let dataDeclared = 0;
  let off = 12;
  while (off + 8 <= fileBytes) {
    need(off + 8);
    const id = ascii(b, off, 4);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'data') {
      dataOffset = body;
      dataDeclared = size === 0xffffffff ? (isRf64 && ds64DataSize !== null ? ds64DataSize : Number.POSITIVE_INFINITY) : size;
      if (fmt) break;
      // 'data' before 'fmt ' (rare): skip over it if we can, to look for the format.
      if (!Number.isFinite(dataDeclared) || body + dataDeclared > fileBytes) break;
      off = body + dataDeclared + (dataDeclared & 1);
      continue;
    }
    if (body + size > fileBytes) {
      if (id === 'fmt ' || id === 'ds64' || !fmt) throw truncatedHeader(`the "${id.replace(/[^\x20-\x7e]/g, '?')}" chunk promises ${formatBytes(size)}`);
      break; // a truncated trailing metadata chunk after the audio: harmless
    }
    if (id === 'ds64' && size >= 16) {
      need(body + 16);
      const hi = dv.getUint32(body + 12, true);
      const lo = dv.getUint32(body + 8, true);
      ds64DataSize = hi * 2 ** 32 + lo;
    } else if (id === 'fmt ') {
      if (size < 16) throw badHeader(`the format chunk is only ${size} bytes long`);
      need(body + Math.min(size, 42));
      let tag = dv.getUint16(body, true);
      const channels = dv.getUint16(body + 2, true);
      const sampleRate = dv.getUint32(body + 4, true);
      const blockAlign = dv.getUint16(body + 12, true); // kept for diagnostics; the layout follows bitsPerSample x channels (some writers get blockAlign wrong)
      const bits = dv.getUint16(body + 14, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw badHeader(`the extensible format chunk is only ${size} bytes long`);
        const sub = dv.getUint16(body + 24, true);
        const tailOk = KSDATAFORMAT_TAIL.every((x, i) => b[body + 26 + i] === x);
        if (!tailOk) {
          throw new CodedError('UNSUPPORTED_FORMAT', `${q(name)} is a WAV file with a codec PnF Studio does not know. Supported: ${SUPPORTED_FORMATS_TEXT}. Convert it to 16- or 24-bit PCM WAV and open that.`);
        }
        tag = sub; // wBitsPerSample is the container size, which decides the layout; valid bits are left-justified in it
      }
      fmt = { tag, channels, sampleRate, blockAlign, bits };
      if (dataOffset >= 0) break;
    }
    off = body + size + (size & 1);
  }
  if (!fmt) {
    if (dataOffset >= 0 || off + 8 > fileBytes) throw truncatedHeader('no format chunk before the end of the file');
    throw badHeader('no format chunk');
  }
  const { tag, channels, sampleRate } = fmt;
  let bits = fmt.bits;
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT && tag !== WAVE_FORMAT_ALAW && tag !== WAVE_FORMAT_MULAW) {
    const codec = WAV_CODEC_NAMES[tag] ?? `codec 0x${tag.toString(16).padStart(4, '0')}`;
    throw new CodedError('UNSUPPORTED_FORMAT', `${q(name)} is a WAV file compressed with ${codec}, which PnF Studio does not decode. Supported: ${SUPPORTED_FORMATS_TEXT}. Convert it to 16- or 24-bit PCM WAV and open that.`);
  }
  checkRateAndChannels(name, 'WAV', sampleRate, channels);
  let bytesPerSample: number;
  if (tag === WAVE_FORMAT_PCM) {
    if (bits < 1 || bits > 32) {
      throw new CodedError('UNSUPPORTED_FORMAT', `${q(name)} is ${bits}-bit PCM; PnF Studio opens 8-, 16-, 24- and 32-bit PCM. Convert it to 16- or 24-bit PCM WAV and open that.`);
    }
    bytesPerSample = Math.ceil(bits / 8); // 12-bit in 2 bytes, 20-bit in 3 bytes: left-justified, read as the container
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits !== 32 && bits !== 64) {
      throw new CodedError('UNSUPPORTED_FORMAT', `${q(name)} is ${bits}-bit floating point; PnF Studio opens 32- and 64-bit float WAV. Convert it to 32-bit float or 24-bit PCM WAV and open that.`);
    }
    bytesPerSample = bits / 8;
  } else {
    bits = 8;
    bytesPerSample = 1;
  }
  const frameBytes = bytesPerSample * channels;
  if (dataOffset < 0) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: it has a WAV header but no audio data chunk (the file holds ${formatBytes(fileBytes)}). Re-export it from the program that made it.`);
  }
  const present = fileBytes - dataOffset;
  let declared = dataDeclared;
  const warnings: string[] = [];
  if (declared === 0) {
    // A recorder that crashed before patching its header leaves "0 bytes" with the audio
    // right behind it. If what follows is not another chunk, recover it (and say so).
    if (present >= 8) need(dataOffset + 4);
    const followedByChunk = present >= 8 && /^[\x20-\x7e]{4}$/.test(ascii(b, dataOffset, 4));
    if (present < frameBytes || followedByChunk) {
      throw new CodedError('EMPTY_FILE', `${q(name)} contains no audio: its WAV header is valid but declares 0 samples. Check that the recording or export actually captured sound.`);
    }
    declared = Number.POSITIVE_INFINITY;
    const secs = Math.floor(present / frameBytes) / sampleRate;
    warnings.push(
      `${q(name)} has an unfinished header (it says 0 bytes of audio, as when a recording is interrupted), but ${fmtSeconds(secs)} of audio follow it; that audio was opened. Check the end of the recording, and save a repaired copy.`,
    );
  }
  const usable = Math.min(declared, present);
  const frames = Math.floor(usable / frameBytes);
  if (frames === 0) {
    const promised = Number.isFinite(declared) ? `the header promises ${formatBytes(declared)} of audio but` : 'the audio data is missing:';
    throw new CodedError('CORRUPT_FILE', `${q(name)} is truncated: ${promised} the file holds ${formatBytes(fileBytes)}, not even one complete sample frame. Re-export it from the program that made it.`);
  }
  if (Number.isFinite(declared) && declared > present) {
    const keptS = frames / sampleRate;
    const promisedS = declared / frameBytes / sampleRate;
    warnings.push(
      `${q(name)} is truncated: the header promises ${formatBytes(declared)} of audio (${fmtSeconds(promisedS)}) but the file holds only ${formatBytes(present)}. The first ${fmtSeconds(keptS)} were opened; the rest is missing. Re-export it from the program that made it if you need all of it.`,
    );
  } else if (usable % frameBytes !== 0 && declared <= present) {
    warnings.push(`${q(name)} ends with an incomplete sample frame (${usable % frameBytes} stray bytes), which was ignored.`);
  }
  return { tag, channels, sampleRate, bits, bytesPerSample, frameBytes, dataOffset, frames, warnings };
}

/** The samples of `data`, whole frames laid out as `layout` says, one array per channel. */
function decodeWavSamples(data: Uint8Array, layout: WavLayout, name: string): Float32Array[] {
  const { tag, channels, bits, bytesPerSample, frameBytes } = layout;
  const frames = Math.floor(data.byteLength / frameBytes);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const dvd = new DataView(data.buffer, data.byteOffset, frames * frameBytes);
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    for (let i = 0, p = 0; i < frames; i++) {
      for (let c = 0; c < channels; c++, p += bytesPerSample) out[c]![i] = bits === 32 ? dvd.getFloat32(p, true) : dvd.getFloat64(p, true);
    }
    checkFinite(name, out);
  } else if (tag === WAVE_FORMAT_ALAW || tag === WAVE_FORMAT_MULAW) {
    const table = new Float32Array(256);
    for (let i = 0; i < 256; i++) table[i] = tag === WAVE_FORMAT_ALAW ? alawToFloat(i) : mulawToFloat(i);
    for (let i = 0, p = 0; i < frames; i++) for (let c = 0; c < channels; c++, p++) out[c]![i] = table[dvd.getUint8(p)]!;
  } else if (bytesPerSample === 1) {
    for (let i = 0, p = 0; i < frames; i++) for (let c = 0; c < channels; c++, p++) out[c]![i] = (dvd.getUint8(p) - 128) / 128;
  } else if (bytesPerSample === 2) {
    for (let i = 0, p = 0; i < frames; i++) for (let c = 0; c < channels; c++, p += 2) out[c]![i] = dvd.getInt16(p, true) / 32768;
  } else if (bytesPerSample === 3) {
    for (let i = 0, p = 0; i < frames; i++) {
      for (let c = 0; c < channels; c++, p += 3) {
        const v = (dvd.getUint8(p) | (dvd.getUint8(p + 1) << 8) | (dvd.getInt8(p + 2) << 16)) >> 0;
        out[c]![i] = v / 8388608;
      }
    }
  } else {
    for (let i = 0, p = 0; i < frames; i++) for (let c = 0; c < channels; c++, p += 4) out[c]![i] = dvd.getInt32(p, true) / 2147483648;
  }
  return out;
}

function decodeWav(b: Uint8Array, name: string): DecodedAudio {
  const layout = parseWavLayout(b, name);
  const { dataOffset, frames, frameBytes } = layout;
  const res: DecodedAudio = { format: 'wav', sampleRate: layout.sampleRate, channels: decodeWavSamples(b.subarray(dataOffset, dataOffset + frames * frameBytes), layout, name) };
  if (layout.warnings.length) res.warnings = layout.warnings;
  return res;
}

/** Bytes read for a WAV header before a range read reads the whole file instead. */
const WAV_HEAD_BYTES = 1 << 20;

/**
 * Frames [from, to) of a WAV file (clamped to the file) without reading the rest, with the
 * file's sample rate and whole length: exactly what decoding the whole file and slicing gives.
 * Null when the file is not a WAV (or its header is longer than WAV_HEAD_BYTES): then decode it whole.
 */
export async function readWavRange(path: string, from: number, to: number): Promise<{ sampleRate: number; frames: number; channels: Float32Array[] } | null> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const readAt = async (buf: Uint8Array, position: number) => {
      for (let got = 0; got < buf.length; ) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) throw new CodedError('CORRUPT_FILE', `${q(basename(path))} became shorter while it was being read.`);
        got += bytesRead;
      }
    };
    const head = new Uint8Array(Math.min(size, WAV_HEAD_BYTES));
    await readAt(head, 0);
    if (sniffFormat(head) !== 'wav') return null;
    let layout: WavLayout;
    try {
      layout = parseWavLayout(head, basename(path), size);
    } catch (e) {
      if (e instanceof HeaderBeyondPrefix) return null;
      throw e;
    }
    const a = Math.max(0, Math.min(layout.frames, Math.floor(from)));
    const b = Math.max(a, Math.min(layout.frames, Math.ceil(to)));
    const data = new Uint8Array((b - a) * layout.frameBytes);
    await readAt(data, layout.dataOffset + a * layout.frameBytes);
    return { sampleRate: layout.sampleRate, frames: layout.frames, channels: decodeWavSamples(data, layout, basename(path)) };
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------
// MP3

interface LameInfo {
  frames: number | null;
  /** Total MP3 stream bytes (from the first frame on), when the Xing tag says. */
  bytes: number | null;
  delay: number;
  padding: number;
}

/** Xing/Info + LAME tag of the first frame: frame count and encoder delay/padding. */
export function parseLameTag(b: Uint8Array, o: number, h: MpegHeader): LameInfo | null {
  const side = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  const x = o + 4 + side;
  if (x + 8 > b.length) return null;
  const id = ascii(b, x, 4);
  if (id !== 'Xing' && id !== 'Info') return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = dv.getUint32(x + 4, false);
  let p = x + 8;
  let frames: number | null = null;
  if (flags & 1) {
    if (p + 4 > b.length) return null;
    frames = dv.getUint32(p, false);
    p += 4;
  }
  let bytes: number | null = null;
  if (flags & 2) {
    if (p + 4 <= b.length) bytes = dv.getUint32(p, false);
    p += 4;
  }
  if (flags & 4) p += 100;
  if (flags & 8) p += 4;
  let delay = 0;
  let padding = 0;
  if (p + 24 <= b.length) {
    // LAME extension: 9-byte encoder string, then fields; delay/padding are 12+12 bits at +21.
    const enc = ascii(b, p, 4);
    if (/^[A-Za-z]{4}$/.test(enc)) {
      const d0 = b[p + 21]!;
      const d1 = b[p + 22]!;
      const d2 = b[p + 23]!;
      delay = (d0 << 4) | (d1 >> 4);
      padding = ((d1 & 0x0f) << 8) | d2;
    }
  }
  return { frames, bytes, delay, padding };
}

/**
 * The gapless numbers of an MP3 (from its Xing/Info + LAME tag), or null when it has none:
 * `frames` audio frames of `samplesPerFrame`, `delay` encoder delay, `padding` end padding.
 * A gapless decode yields frames * samplesPerFrame - delay - padding samples.
 */
export function mp3GaplessInfo(bytes: Uint8Array): (LameInfo & { samplesPerFrame: number }) | null {
  const start = afterId3v2(bytes);
  const f = findMpegFrame(bytes, start, 64 * 1024);
  if (!f) return null;
  const l = parseLameTag(bytes, f.offset, f.header);
  return l ? { ...l, samplesPerFrame: f.header.samplesPerFrame } : null;
}

/** mpg123's own decoder delay for layer III. */
const MP3_DECODER_DELAY = 529;

async function decodeMp3(b: Uint8Array, name: string): Promise<DecodedAudio> {
  const start = afterId3v2(b);
  const first = findMpegFrame(b, start, 64 * 1024);
  if (!first) {
    if (start >= b.length) throw new CodedError('CORRUPT_FILE', `${q(name)} holds only an ID3 tag and no MP3 audio. Re-export it from the program that made it.`);
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: no MP3 audio frames were found. Re-export it from the program that made it.`);
  }
  const h = first.header;
  checkRateAndChannels(name, 'MP3', h.sampleRate, h.channels);
  const lame = parseLameTag(b, first.offset, h);
  const { default: decode } = await import('@audio/decode-mp3');
  let r: { channelData: Float32Array[]; sampleRate: number; errors?: unknown[] };
  try {
    r = await decode(b.subarray(start));
  } catch (e) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} could not be decoded as MP3: the data is damaged (decoder said: ${libMessage(e)}). Re-export it from the program that made it.`);
  }
  let chans = (r.channelData ?? []).slice(0, h.channels);
  const got = chans[0]?.length ?? 0;
  if (got === 0) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: no audio could be decoded from its MP3 frames. Re-export it from the program that made it.`);
  }
  const warnings: string[] = [];
  // Gapless trimming. mpg123 (inside @audio/decode-mp3) has gapless mode on: it reads the
  // LAME tag and removes encoder delay + decoder delay (529) at the start and the padding at
  // the end, giving frames*spf - delay - padding samples, which is what ffmpeg outputs too.
  // If a future build of the library stops doing that (we get the untrimmed frames*spf), do it here.
  if (lame && lame.frames !== null && (lame.delay > 0 || lame.padding > 0) && h.layer === 3) {
    const total = lame.frames * h.samplesPerFrame;
    const expected = total - lame.delay - lame.padding;
    if (got === total && expected > 0) {
      const s0 = Math.min(lame.delay + MP3_DECODER_DELAY, got);
      const e0 = Math.min(got, s0 + expected);
      chans = chans.map((c) => c.slice(s0, e0));
      if (e0 - s0 < expected) chans = chans.map((c) => { const z = new Float32Array(expected); z.set(c); return z; });
    }
  }
  const decodedLen = chans[0]?.length ?? 0;
  if (lame && lame.frames !== null && h.layer === 3) {
    const expected = lame.frames * h.samplesPerFrame - lame.delay - lame.padding;
    if (expected > 0 && decodedLen < expected - h.samplesPerFrame) {
      const sr = r.sampleRate || h.sampleRate;
      const cut = lame.bytes !== null ? b.length - first.offset < lame.bytes : null;
      const what = cut === true ? 'truncated' : cut === false ? 'damaged' : 'truncated or damaged';
      const why = cut === true ? '' : ' (unreadable frames were left out, so later audio may be shifted earlier)';
      warnings.push(
        `${q(name)} is ${what}: its header promises ${fmtSeconds(expected / sr)} of audio but only ${fmtSeconds(decodedLen / sr)} could be decoded${why}. Re-export it from the program that made it if you need all of it.`,
      );
    }
  }
  const errs = Array.isArray(r.errors) ? r.errors.length : 0;
  if (errs > 0) warnings.push(`${q(name)} has ${errs} damaged MP3 frame${errs === 1 ? '' : 's'}; they may be heard as short gaps or clicks. Re-export it if you need a clean copy.`);
  checkFinite(name, chans);
  const res: DecodedAudio = { format: 'mp3', sampleRate: r.sampleRate || h.sampleRate, channels: chans };
  if (warnings.length) res.warnings = warnings;
  return res;
}

// ---------------------------------------------------------------------------------------
// FLAC and Ogg Vorbis

function flacStreamInfo(b: Uint8Array, name: string): { sampleRate: number; channels: number; total: number; start: number } {
  const o = afterId3v2(b);
  // "fLaC", block header (1 + 3 bytes), STREAMINFO (34 bytes)
  if (o + 8 + 34 > b.length || b[o + 4]! & 0x7f) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: the file ends inside its FLAC header (it holds ${formatBytes(b.length)}). Re-export it from the program that made it.`);
  }
  const s = o + 8;
  const sampleRate = (b[s + 10]! << 12) | (b[s + 11]! << 4) | (b[s + 12]! >> 4);
  const channels = ((b[s + 12]! >> 1) & 7) + 1;
  const total = (b[s + 13]! & 0x0f) * 2 ** 32 + ((b[s + 14]! << 24) >>> 0) + (b[s + 15]! << 16) + (b[s + 16]! << 8) + b[s + 17]!;
  return { sampleRate, channels, total, start: o };
}

async function decodeFlac(b: Uint8Array, name: string): Promise<DecodedAudio> {
  const info = flacStreamInfo(b, name);
  checkRateAndChannels(name, 'FLAC', info.sampleRate, info.channels);
  const { default: decode } = await import('@audio/decode-flac');
  let r: { channelData: Float32Array[]; sampleRate: number };
  try {
    r = await decode(b.subarray(info.start));
  } catch (e) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} could not be decoded as FLAC: the data is damaged (decoder said: ${libMessage(e)}). Re-export it from the program that made it.`);
  }
  const chans = r.channelData ?? [];
  const got = chans[0]?.length ?? 0;
  if (got === 0) {
    if (info.total === 0) {
      throw new CodedError('EMPTY_FILE', `${q(name)} contains no audio: its FLAC header is valid but no audio frames follow. Check that the recording or export actually captured sound.`);
    }
    throw new CodedError('CORRUPT_FILE', `${q(name)} is truncated or damaged: its header promises ${fmtSeconds(info.total / info.sampleRate)} of audio but no complete FLAC frame could be decoded. Re-export it from the program that made it.`);
  }
  const warnings: string[] = [];
  if (info.total > 0 && got < info.total) {
    warnings.push(
      `${q(name)} is truncated or damaged: its header promises ${fmtSeconds(info.total / info.sampleRate)} of audio but only ${fmtSeconds(got / info.sampleRate)} could be decoded (anything unreadable was left out). Re-export it from the program that made it if you need all of it.`,
    );
  }
  checkFinite(name, chans);
  const res: DecodedAudio = { format: 'flac', sampleRate: r.sampleRate || info.sampleRate, channels: chans };
  if (warnings.length) res.warnings = warnings;
  return res;
}

/** The last complete-looking Ogg page header: end-of-stream flag and granule position (samples). */
function lastOggPage(b: Uint8Array): { eos: boolean; granule: number } | null {
  const from = Math.max(0, b.length - 65536 - 27);
  for (let o = b.length - 27; o >= from; o--) {
    if (b[o] !== 0x4f || b[o + 1] !== 0x67 || b[o + 2] !== 0x67 || b[o + 3] !== 0x53 || b[o + 4] !== 0) continue;
    const dv = new DataView(b.buffer, b.byteOffset + o, 27);
    const lo = dv.getUint32(6, true);
    const hi = dv.getInt32(10, true);
    return { eos: (b[o + 5]! & 4) !== 0, granule: hi < 0 ? -1 : hi * 2 ** 32 + lo };
  }
  return null;
}

async function decodeVorbis(b: Uint8Array, name: string): Promise<DecodedAudio> {
  // Identification header: page header (27 + segments), then "\x01vorbis", version(4), channels(1), rate(4).
  if (b.length < 28 || b.length < 27 + b[26]! + 16) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged: the file ends inside its Ogg Vorbis header (it holds ${formatBytes(b.length)}). Re-export it from the program that made it.`);
  }
  const p = 27 + b[26]!;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const channels = b[p + 11]!;
  const sampleRate = dv.getUint32(p + 12, true);
  checkRateAndChannels(name, 'Ogg Vorbis', sampleRate, channels);
  const { default: decode } = await import('@audio/decode-vorbis');
  let r: { channelData: Float32Array[]; sampleRate: number };
  try {
    r = await decode(b);
  } catch (e) {
    // (some damaged pages trip a fault in the decoder's own error path, e.g. "logError is not defined": its words say nothing to the user)
    const said = e instanceof ReferenceError || e instanceof TypeError ? 'a damaged page stopped the decoder' : `decoder said: ${libMessage(e)}`;
    throw new CodedError('CORRUPT_FILE', `${q(name)} could not be decoded as Ogg Vorbis: the data is damaged (${said}). Re-export it from the program that made it.`);
  }
  const chans = r.channelData ?? [];
  if ((chans[0]?.length ?? 0) === 0) {
    throw new CodedError('CORRUPT_FILE', `${q(name)} is damaged or empty: no audio could be decoded from it. Re-export it from the program that made it.`);
  }
  checkFinite(name, chans);
  const res: DecodedAudio = { format: 'ogg', sampleRate: r.sampleRate || sampleRate, channels: chans };
  const last = lastOggPage(b);
  const got = chans[0]!.length;
  const sr = res.sampleRate;
  if (last && !last.eos) {
    res.warnings = [
      `${q(name)} is truncated: the Ogg stream stops without its end marker, after ${fmtSeconds(got / sr)} of audio. Re-export it from the program that made it if you need all of it.`,
    ];
  } else if (last && last.granule > 0 && got < last.granule - 1) {
    res.warnings = [
      `${q(name)} is damaged: it should hold ${fmtSeconds(last.granule / sr)} of audio but only ${fmtSeconds(got / sr)} could be decoded (damaged packets were left out, so later audio may be shifted earlier). Re-export it from the program that made it if you need all of it.`,
    ];
  }
  return res;
}

// ---------------------------------------------------------------------------------------
// entry points

/** Decode a whole file held in memory. `name` is used in messages only (never to pick the format). */
export async function decodeAudioBytes(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  if (bytes.length === 0) {
    throw new CodedError('EMPTY_FILE', `${q(name)} is empty (0 bytes). Check that the export or copy finished, then try again.`);
  }
  if (bytes.length > MAX_FILE_BYTES) {
    throw new CodedError('TOO_LARGE', fileTooLargeText(name, bytes.length));
  }
  const s = sniffDetailed(bytes);
  let out: DecodedAudio;
  try {
    switch (s.format) {
      case 'wav':
        out = decodeWav(bytes, name);
        break;
      case 'flac':
        out = await decodeFlac(bytes, name);
        break;
      case 'mp3':
        out = await decodeMp3(bytes, name);
        break;
      case 'ogg':
        out = await decodeVorbis(bytes, name);
        break;
      default: {
        const what = s.what ? `${q(name)} is ${s.what}, which PnF Studio does not open.` : `${q(name)} is not an audio file PnF Studio recognises.`;
        throw new CodedError('UNSUPPORTED_FORMAT', `${what} Supported: ${SUPPORTED_FORMATS_TEXT}. Convert it to WAV or FLAC and open that.`);
      }
    }
  } catch (e) {
    if (e instanceof CodedError) throw e;
    if (e instanceof RangeError && /allocat|Array buffer|memory/i.test(e.message)) {
      throw new CodedError('TOO_LARGE', `${q(name)} is too large to open in the memory available. Split it into shorter parts and open those.`);
    }
    throw new CodedError('CORRUPT_FILE', `${q(name)} could not be decoded: ${libMessage(e)}. Re-export it from the program that made it.`);
  }
  const n = out.channels[0]?.length ?? 0;
  if (n === 0) throw new CodedError('EMPTY_FILE', `${q(name)} contains no audio. Check that the recording or export actually captured sound.`);
  return out;
}

/** Decode a file on disk. Only ever reads; checks the size before reading. */
export async function decodeAudioFile(path: string): Promise<DecodedAudio> {
  const name = basename(path);
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new CodedError('UNREADABLE', `${q(name)} is a folder, not an audio file. Choose a file inside it.`);
    if (!st.isFile()) throw new CodedError('UNREADABLE', `${q(name)} is not a regular file. Choose an audio file.`);
    size = st.size;
  } catch (e) {
    throw fsError(e, name, path);
  }
  if (size === 0) throw new CodedError('EMPTY_FILE', `${q(name)} is empty (0 bytes). Check that the export or copy finished, then try again.`);
  if (size > MAX_FILE_BYTES) {
    throw new CodedError('TOO_LARGE', fileTooLargeText(name, size));
  }
  let bytes: Uint8Array;
  try {
    bytes = await readAll(path, size);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new CodedError('TOO_LARGE', `${q(name)} (${formatBytes(size)}) is too large to open in the memory available. Split it into shorter parts and open those.`);
    }
    throw fsError(e, name, path);
  }
  return decodeAudioBytes(bytes, name);
}

/**
 * Read a file of (stat) size `size` into one buffer, in chunks (fs.readFile stops just below
 * 2 GiB). Read-only open. If the file changed size meanwhile we keep what we read, up to `size`.
 */
async function readAll(path: string, size: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, Math.min(size - off, 64 * 1024 * 1024), off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

function fsError(e: unknown, name: string, path: string): CodedError {
  if (e instanceof CodedError) return e;
  const code = errno(e);
  if (isAbsent(e)) return new CodedError('NOT_FOUND', `${q(name)} was not found (${path}). It may have been moved, renamed or deleted.`);
  if (isDenied(e)) return new CodedError('UNREADABLE', `${q(name)} cannot be read: permission denied. Check the file's permissions, or copy it somewhere you own.`);
  if (code === 'EISDIR') return new CodedError('UNREADABLE', `${q(name)} is a folder, not an audio file. Choose a file inside it.`);
  return new CodedError('UNREADABLE', `${q(name)} cannot be read (${code || libMessage(e)}). Check that the disk or network drive is available, then try again.`);
}
