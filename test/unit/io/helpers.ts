// Helpers for the io tests: a WAV byte builder for edge cases, and ffmpeg/ffprobe access.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Real recordings shared by the project: /work/shared/eval when the repo is /work/main. */
export const EVAL_DIR = resolve(REPO_ROOT, '../shared/eval');

export function requireTool(tool: 'ffprobe' | 'ffmpeg'): void {
  const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new Error(`${tool} is required by these tests but was not found on PATH. Install it: sudo apt-get install ffmpeg`);
  }
}

export function requireEvalDir(): void {
  if (!existsSync(EVAL_DIR)) {
    throw new Error(`The evaluation recordings folder ${EVAL_DIR} is missing (expected next to the repository as ../shared/eval). Restore it; these tests must not be skipped.`);
  }
}

export interface ProbeInfo {
  sampleRate: number;
  channels: number;
  duration: number;
  codec: string;
}

export function ffprobe(path: string): ProbeInfo {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels,duration', '-of', 'json', path], {
    encoding: 'utf8',
  });
  const s = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0]!;
  return { sampleRate: Number(s.sample_rate), channels: Number(s.channels), duration: Number(s.duration), codec: String(s.codec_name) };
}

/** Decode with ffmpeg to interleaved float32 at the file's own rate and channel count. */
export function ffmpegDecode(path: string): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  return new Float32Array(copy.buffer);
}

export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface WavSpec {
  /** format tag written in fmt (1 PCM, 3 float, 6 A-law, 7 mu-law, ...). */
  tag?: number;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this tag as SubFormat. */
  extensible?: boolean;
  /** Raw interleaved sample bytes. */
  data?: Uint8Array;
  /** Override the size written in the data chunk header. */
  declaredDataSize?: number;
  /** 'RIFF' (default) or 'RF64' (with a ds64 chunk). */
  riff?: 'RIFF' | 'RF64';
  /** 64-bit data size for the ds64 chunk (RF64 only); the data chunk then says 0xFFFFFFFF. */
  ds64DataSize?: number;
  /** Extra chunk inserted before fmt. */
  before?: { id: string; body: Uint8Array }[];
}

export function makeWav(spec: WavSpec): Uint8Array {
  const tag = spec.tag ?? 1;
  const ch = spec.channels ?? 1;
  const rate = spec.sampleRate ?? 44100;
  const bits = spec.bits ?? 16;
  const data = spec.data ?? new Uint8Array(0);
  const block = Math.ceil(bits / 8) * ch;
  const chunks: { id: string; body: Uint8Array }[] = [];
  if (spec.riff === 'RF64') {
    const ds = new Uint8Array(28);
    const dv = new DataView(ds.buffer);
    const size = spec.ds64DataSize ?? data.length;
    dv.setUint32(8, size % 2 ** 32, true);
    dv.setUint32(12, Math.floor(size / 2 ** 32), true);
    chunks.push({ id: 'ds64', body: ds });
  }
  chunks.push(...(spec.before ?? []));
  const fmt = new Uint8Array(spec.extensible ? 40 : 16);
  const fv = new DataView(fmt.buffer);
  fv.setUint16(0, spec.extensible ? 0xfffe : tag, true);
  fv.setUint16(2, ch, true);
  fv.setUint32(4, rate, true);
  fv.setUint32(8, rate * block, true);
  fv.setUint16(12, block, true);
  fv.setUint16(14, bits, true);
  if (spec.extensible) {
    fv.setUint16(16, 22, true);
    fv.setUint16(18, bits, true);
    fv.setUint32(20, 0, true);
    fv.setUint16(24, tag, true);
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  chunks.push({ id: 'fmt ', body: fmt });
  let len = 12;
  for (const c of chunks) len += 8 + c.body.length + (c.body.length & 1);
  len += 8 + data.length;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  const str = (o: number, s: string) => [...s].forEach((x, i) => (out[o + i] = x.charCodeAt(0)));
  str(0, spec.riff ?? 'RIFF');
  dv.setUint32(4, spec.riff === 'RF64' ? 0xffffffff : len - 8, true);
  str(8, 'WAVE');
  let o = 12;
  for (const c of chunks) {
    str(o, c.id);
    dv.setUint32(o + 4, c.body.length, true);
    out.set(c.body, o + 8);
    o += 8 + c.body.length + (c.body.length & 1);
  }
  str(o, 'data');
  dv.setUint32(o + 4, spec.riff === 'RF64' ? 0xffffffff : (spec.declaredDataSize ?? data.length), true);
  out.set(data, o + 8);
  return out;
}

/** Interleave per-channel integer or float values into little-endian bytes. */
export function pack(values: number[][], kind: 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64'): Uint8Array {
  const ch = values.length;
  const n = values[0]!.length;
  const bps = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(n * ch * bps);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++, o += bps) {
      const v = values[c]![i]!;
      if (kind === 'u8') dv.setUint8(o, v);
      else if (kind === 's16') dv.setInt16(o, v, true);
      else if (kind === 's24') {
        dv.setUint8(o, v & 0xff);
        dv.setUint8(o + 1, (v >> 8) & 0xff);
        dv.setUint8(o + 2, (v >> 16) & 0xff);
      } else if (kind === 's32') dv.setInt32(o, v, true);
      else if (kind === 'f32') dv.setFloat32(o, v, true);
      else dv.setFloat64(o, v, true);
    }
  }
  return out;
}
