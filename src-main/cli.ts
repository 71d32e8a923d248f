// pnf: the PnF engine on the command line (same engine as the app, run in this process).
//
// Exit codes: 0 ok | 2 usage (bad flags, bad request, refusing to overwrite) | 3 input (cannot read /
// decode the input, empty, NaN samples) | 4 model or device (MODEL_INVALID, DEVICE_UNAVAILABLE) |
// 5 engine (the engine failed, disk full, internal error) | 130 cancelled (Ctrl-C).
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodedError, toAppError, type ErrorCode } from '../src-shared/ipc/result';
import { fromBaseline, type EngineProgress } from '../src-shared/engine/progress';
import type { JobRequest, JobResult, CommonOptions, DeviceName, PresetName, Region } from '../src-shared/engine/jobs';
import { DEVICE_NAMES, PRESET_NAMES } from '../src-shared/engine/jobs';
import { ModelSet, runJob } from './engine/tasks';
import { sameFile } from './io/same-file';
import { chooseDevice } from './engine/device';
import { engineInfo } from './engine/host/worker-info';
import { wholeTrack } from '../src-shared/engine/jobs';

export const EXIT = { ok: 0, usage: 2, input: 3, model: 4, engine: 5, cancelled: 130 } as const;

const USAGE = `pnf - PnF Studio engine on the command line

Usage:
  pnf info                                   models and devices
  pnf separate <in> [--rate HZ [--lowpass]]  -> <in>.piano.wav, <in>.voice.wav
                                             (--rate: a low-rate mixture is separated AND restored to HZ)
  pnf upsample <in> (--factor K | --rate HZ) [--decimated] -> <in>.upsampled.wav
                                             (the clip is taken as low-pass filtered before it lost its high
                                             band, as any resampled file or low-rate recording; --decimated:
                                             every k-th sample of a full-rate signal was kept, the paper's test)
  pnf inpaint  <in> --region START-END [--region ...] [--alternatives N]   -> <in>.fill1.wav ...
  pnf generate --seconds S [--source piano|voice] [--ancestral]            -> generated.wav

Options:
  --out PATH          output file (one track) or folder, or file stem for several tracks
  --preset P          draft | standard | best (default standard)
  --steps N           Langevin steps per noise level        --levels N   noise levels
  --seed N            random seed (default 1)                --alternatives N  (inpaint) fills to draw
  --device D          auto | cpu | cuda | dml | coreml | webgpu (default auto)
  --threads N         ONNX Runtime intra-op threads          --batch N / --window N  windows per run / window size
  --model-dir DIR     folder with model cards (default resources/models)
  --model CARD        use this one card for every source (e.g. test/fixtures/models/tiny.json)
  --source S          piano | voice (inpaint, upsample: default the prior under which the input
                      is more likely; generate: default piano)
  --channel-mode M    per-channel | mid-side (stereo)
  --denoise           final Tweedie denoising step (off by default; see bench/engine/curve-*-denoise.md)
  --format F          pcm16 | pcm24 | float32 (default pcm24)
  --force             overwrite existing outputs (an input file is never overwritten)
  --json              progress and result as JSON lines on stdout
  -h, --help

Exit codes: 0 ok, 2 usage, 3 input, 4 model/device, 5 engine, 130 cancelled.`;

class UsageError extends Error {}

interface Parsed {
  cmd: string;
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOL_FLAGS = new Set(['json', 'force', 'lowpass', 'decimated', 'ancestral', 'denoise', 'help', 'h']);

export function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      let name = a.replace(/^--?/, '');
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if (BOOL_FLAGS.has(name)) value ??= 'true';
      else if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      }
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else positional.push(a);
  }
  const cmd = positional.shift() ?? '';
  return { cmd, positional, flags };
}

const KNOWN = new Set(['out', 'preset', 'steps', 'levels', 'seed', 'device', 'threads', 'batch', 'window', 'model-dir', 'model', 'source', 'channel-mode', 'format', 'force', 'json', 'factor', 'rate', 'lowpass', 'decimated', 'region', 'alternatives', 'seconds', 'ancestral', 'denoise', 'help', 'h']);

function one(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given more than once.`);
  return v?.[0];
}
function int(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${v}").`);
  return n;
}
function num(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${v}").`);
  return n;
}

export function parseRegion(s: string): Region {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?:-|:|\.\.)\s*([0-9]*\.?[0-9]+)\s*$/.exec(s);
  if (!m) throw new UsageError(`--region must look like START-END in seconds, e.g. 1.25-1.50 (got "${s}").`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

function commonOptions(p: Parsed): CommonOptions {
  const preset = one(p, 'preset');
  if (preset !== undefined && !PRESET_NAMES.includes(preset as PresetName)) throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}.`);
  const device = one(p, 'device');
  if (device !== undefined && !DEVICE_NAMES.includes(device as DeviceName)) chooseDevice(device); // throws, listing what is available
  const cm = one(p, 'channel-mode');
  if (cm !== undefined && cm !== 'per-channel' && cm !== 'mid-side') throw new UsageError('--channel-mode must be per-channel or mid-side.');
  const o: CommonOptions = {};
  if (preset) o.preset = preset as PresetName;
  if (device) o.device = device as DeviceName;
  if (cm) o.channelMode = cm;
  if (p.flags.has('denoise')) o.denoise = true;
  const steps = int(p, 'steps', 1, 100000);
  const levels = int(p, 'levels', 1, 1000);
  const seed = int(p, 'seed', 0, 0xffffffff);
  const threads = int(p, 'threads', 1, 256);
  const batch = int(p, 'batch', 1, 4096);
  const window = int(p, 'window', 16, 1 << 22);
  if (steps !== undefined) o.steps = steps;
  if (levels !== undefined) o.levels = levels;
  if (seed !== undefined) o.seed = seed;
  if (threads !== undefined) o.threads = threads;
  if (batch !== undefined) o.batch = batch;
  if (window !== undefined) o.window = window;
  return o;
}

function exitFor(code: ErrorCode): number {
  switch (code) {
    case 'CANCELLED':
      return EXIT.cancelled;
    case 'MODEL_INVALID':
    case 'DEVICE_UNAVAILABLE':
      return EXIT.model;
    case 'NOT_FOUND':
    case 'UNREADABLE':
    case 'EMPTY_FILE':
    case 'UNSUPPORTED_FORMAT':
    case 'CORRUPT_FILE':
    case 'BAD_SAMPLES':
    case 'TOO_LARGE':
      return EXIT.input;
    case 'BAD_REQUEST':
    case 'FORBIDDEN':
      return EXIT.usage;
    default:
      return EXIT.engine;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Output paths for named tracks. */
export function outputPaths(input: string | null, out: string | undefined, tracks: string[], fallback: string): Map<string, string> {
  const m = new Map<string, string>();
  const stemOf = (p: string) => (extname(p).toLowerCase() === '.wav' ? p.slice(0, -4) : p);
  const inStem = input ? basename(input).replace(/\.[^.]+$/, '') : fallback;
  const isDir = out !== undefined && (out.endsWith('/') || out.endsWith('\\') || (existsSync(out) && statSync(out).isDirectory()));
  for (const t of tracks) {
    let p: string;
    if (out === undefined) p = join(input ? dirname(input) : '.', tracks.length === 1 && !input ? `${fallback}.wav` : `${inStem}.${t}.wav`);
    else if (isDir) p = join(out, input ? `${inStem}.${t}.wav` : tracks.length === 1 ? `${fallback}.wav` : `${fallback}.${t}.wav`);
    else if (tracks.length === 1) p = extname(out) ? out : `${out}.wav`;
    else p = `${stemOf(out)}.${t}.wav`;
    m.set(t, resolve(p));
  }
  return m;
}

interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

function progressPrinter(io: Io, json: boolean): { onEvent: (e: EngineProgress) => void; end: () => void } {
  const tty = !json && !!io.stderr.isTTY;
  let lastLine = '';
  let lastPct = -1;
  return {
    onEvent(e) {
      if (json) {
        if (e.status === 'preview') {
          io.stdout.write(JSON.stringify({ status: 'preview', track: e.track, channel: e.channel, start: e.start, length: e.samples.length, sampleRate: e.sampleRate }) + '\n');
        } else if (e.status !== 'done') io.stdout.write(JSON.stringify(e) + '\n');
        return;
      }
      if (e.status !== 'running') return;
      const pct = Math.floor(e.fraction * 100);
      const eta = e.etaSeconds === null ? '' : ` eta ${Math.ceil(e.etaSeconds)}s`;
      const text = `pass ${e.pass}/${e.passes} level ${e.level}/${e.levels} step ${e.step}/${e.of}${eta}`;
      if (tty) {
        const w = 30;
        const filled = Math.round((e.fraction * w));
        const line = `\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${String(pct).padStart(3)}% ${text}`;
        if (line !== lastLine) io.stderr.write(line.padEnd(lastLine.length));
        lastLine = line;
      } else if (pct >= lastPct + 10) {
        lastPct = pct - (pct % 10);
        io.stderr.write(`${pct}% ${text}\n`);
      }
    },
    end() {
      if (tty && lastLine) io.stderr.write('\n');
    },
  };
}

async function loadInput(path: string): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  if (!existsSync(path)) throw new CodedError('NOT_FOUND', `Input file not found: ${path}`);
  const { decodeAudioFile } = await import('./io/decode');
  const a = await decodeAudioFile(path);
  return { sampleRate: a.sampleRate, channels: a.channels };
}

/** Run the CLI; returns the exit code (never calls process.exit). */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`pnf: ${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (p.flags.has('help') || p.flags.has('h') || p.cmd === 'help' || p.cmd === '') {
    (p.cmd === '' && !p.flags.has('help') && !p.flags.has('h') ? io.stderr : io.stdout).write(USAGE + '\n');
    return p.cmd === '' && !p.flags.has('help') && !p.flags.has('h') ? EXIT.usage : EXIT.ok;
  }
  const json = p.flags.has('json');
  const fail = (code: number, message: string, errCode?: string): number => {
    if (json) io.stdout.write(JSON.stringify({ status: 'failed', code: errCode ?? 'USAGE', exit: code, message }) + '\n');
    io.stderr.write(`pnf: ${message}\n`);
    return code;
  };
  for (const k of p.flags.keys()) if (!KNOWN.has(k)) return fail(EXIT.usage, `unknown option --${k} (see pnf --help).`);

  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  let models: ModelSet | undefined;
  try {
    // (inside the try: a bad --threads or a repeated --model is a usage error, not a crash)
    models = new ModelSet({ modelDir: one(p, 'model-dir'), model: one(p, 'model'), device: one(p, 'device'), threads: int(p, 'threads', 1, 256) });
    if (p.cmd === 'info') {
      const info = await engineInfo({ modelDir: one(p, 'model-dir') });
      if (json) io.stdout.write(JSON.stringify(info) + '\n');
      else {
        io.stdout.write(`onnxruntime-node ${info.onnxruntime}\ndevices: ${info.devices.join(', ')} (auto -> ${info.defaultDevice})\nmodels in ${info.modelDir}:\n`);
        if (info.models.length === 0) io.stdout.write('  (none)\n');
        for (const m of info.models) {
          io.stdout.write(m.error ? `  ${basename(m.path)}: INVALID - ${m.error}\n` : `  ${basename(m.path)}: ${m.name} (${m.source}, ${m.sampleRate} Hz, receptive field ${m.receptiveField})\n`);
        }
      }
      return EXIT.ok;
    }
    const common = commonOptions(p);
    let req: JobRequest;
    let input: string | null = null;
    let fallback = 'generated';
    const needInput = async () => {
      if (p.positional.length !== 1) throw new UsageError(`${p.cmd} needs exactly one input file.`);
      input = resolve(p.positional[0]!);
      return loadInput(input);
    };
    const source = one(p, 'source');
    if (source !== undefined && source !== 'piano' && source !== 'voice') throw new UsageError('--source must be piano or voice.');
    if (p.flags.has('decimated') && p.cmd !== 'upsample') throw new UsageError('--decimated is for upsample only.');
    switch (p.cmd) {
      case 'separate': {
        const rate = int(p, 'rate', 1, 192000);
        if (p.flags.has('lowpass') && rate === undefined) throw new UsageError('--lowpass needs --rate HZ (separating a low-rate mixture).');
        req = { kind: 'separate', audio: await needInput(), ...common, ...(rate !== undefined ? { targetRate: rate, lowpass: p.flags.has('lowpass') } : {}) };
        break;
      }
      case 'upsample': {
        const factor = int(p, 'factor', 0, 1000);
        const rate = int(p, 'rate', 1, 192000);
        if (factor === undefined && rate === undefined) throw new UsageError('upsample needs --factor K or --rate HZ.');
        if (p.flags.has('decimated') && p.flags.has('lowpass')) throw new UsageError('Give --decimated or --lowpass, not both (low-pass is the default).');
        const lowpass = !p.flags.has('decimated');
        req = { kind: 'upsample', audio: await needInput(), ...common, ...(factor !== undefined ? { factor } : {}), ...(rate !== undefined ? { targetRate: rate } : {}), lowpass, ...(source ? { source } : {}) } as JobRequest;
        fallback = 'upsampled';
        break;
      }
      case 'inpaint': {
        const regions = (p.flags.get('region') ?? []).map(parseRegion);
        if (regions.length === 0) throw new UsageError('inpaint needs at least one --region START-END (seconds).');
        const alternatives = int(p, 'alternatives', 1, 16);
        req = { kind: 'inpaint', audio: await needInput(), regions, ...common, ...(alternatives ? { alternatives } : {}), ...(source ? { source } : {}) } as JobRequest;
        break;
      }
      case 'generate': {
        const seconds = num(p, 'seconds');
        if (seconds === undefined) throw new UsageError('generate needs --seconds S.');
        if (p.positional.length) throw new UsageError('generate takes no input file.');
        req = { kind: 'generate', seconds, ancestral: p.flags.has('ancestral'), ...common, ...(source ? { source } : {}) } as JobRequest;
        break;
      }
      default:
        throw new UsageError(`unknown command "${p.cmd}" (separate, upsample, inpaint, generate, info).`);
    }
    const format = one(p, 'format') ?? 'pcm24';
    if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32') throw new UsageError('--format must be pcm16, pcm24 or float32.');

    // decide outputs before running (fail fast on overwrite)
    const trackNames = req.kind === 'separate' ? ['piano', 'voice'] : req.kind === 'inpaint' ? Array.from({ length: req.alternatives ?? 1 }, (_, i) => `alt${i + 1}`) : ['audio'];
    const nice = (t: string) => (req.kind === 'upsample' ? 'upsampled' : req.kind === 'inpaint' ? t.replace('alt', 'fill') : req.kind === 'generate' ? 'generated' : t);
    const paths = outputPaths(input, one(p, 'out'), trackNames.map(nice), fallback);
    for (const path of paths.values()) {
      if (input && sameFile(path, input)) throw new UsageError(`refusing to overwrite the input file ${input}; choose another --out.`);
      if (existsSync(path) && !p.flags.has('force')) throw new UsageError(`${path} exists; use --force to overwrite it or choose another --out.`);
      const folder = dirname(path);
      if (!isFolder(folder)) throw new UsageError(`the folder ${folder} does not exist; create it or choose another --out.`);
    }

    const printer = progressPrinter(io, json);
    let result: JobResult;
    try {
      result = await runJob(req, { priors: models, jobId: 'cli', emit: printer.onEvent, signal: ac.signal });
    } finally {
      printer.end();
    }
    const { encodeWav } = await import('./io/wav-encode');
    const { writeFileAtomic } = await import('./io/atomic-write');
    const written: Record<string, string> = {};
    for (const t of trackNames) {
      const path = paths.get(nice(t))!;
      // a fill's result is the stretch around its gaps: the file gets the whole clip
      const channels = req.kind === 'inpaint' ? wholeTrack(result, t, req.audio.channels) : result.tracks[t]!;
      const bytes = encodeWav({ sampleRate: result.sampleRate, channels }, { format, seed: result.seed });
      await writeFileAtomic(path, bytes);
      written[t] = path;
    }
    if (json) {
      const { tracks: _t, ...rest } = result;
      io.stdout.write(JSON.stringify({ status: 'done', outputs: written, result: rest }) + '\n');
    } else {
      for (const [t, path] of Object.entries(written)) io.stdout.write(`${t}: ${path}\n`);
      for (const r of result.reports) {
        const parts = [`${r.track}:`];
        if (r.snrVsBaselineDb !== null) parts.push(`${fromBaseline(r.snrVsBaselineDb, `${r.baseline} baseline`)};`);
        if (r.meanLogpOutput !== null) parts.push(`prior log-likelihood ${r.meanLogpOutput.toFixed(3)} nats/sample`);
        if (r.meanLogpBaseline !== null) parts.push(`(baseline ${r.meanLogpBaseline.toFixed(3)})`);
        io.stdout.write(parts.join(' ') + '\n');
      }
      for (const n of result.notes) io.stdout.write(`note: ${n}\n`);
      io.stdout.write(`${result.device}, ${result.preset} (${result.levels} levels x ${result.stepsPerLevel} steps at etaScale ${result.etaScale}), seed ${result.seed}, ${result.seconds.toFixed(2)} s, ${(result.sampleUpdates / Math.max(1e-9, result.seconds)).toFixed(0)} sample-updates/s\n`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) return fail(EXIT.usage, e.message);
    const a = toAppError(e);
    if (a.code === 'CANCELLED') return fail(EXIT.cancelled, 'cancelled.', a.code);
    return fail(exitFor(a.code), a.message, a.code);
  } finally {
    process.removeListener('SIGINT', onSig);
    await models?.dispose();
  }
}

// Run directly (`tsx src-main/cli.ts ...`, `npm run pnf -- ...`).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
