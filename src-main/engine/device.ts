// The ONE module that decides which ONNX Runtime execution provider runs the priors.
// Like Transformers.js: an explicit 'auto', an error listing what is available, and the
// chosen device reported back to the caller (and from there to the user).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { CodedError } from '../../src-shared/ipc/result';
import { DEVICE_NAMES, type DeviceName } from '../../src-shared/engine/jobs';

export type ConcreteDevice = Exclude<DeviceName, 'auto'>;

export interface DeviceChoice {
  requested: DeviceName;
  device: ConcreteDevice;
  /** Passed to InferenceSession.create as executionProviders. */
  executionProviders: string[];
  /** Devices this machine's onnxruntime-node can use, best first. */
  available: ConcreteDevice[];
  /** intraOpNumThreads, or undefined for ORT's default. */
  threads: number | undefined;
}

/** ORT backend name -> our device name. */
const ORT_TO_DEVICE: Record<string, ConcreteDevice> = {
  cpu: 'cpu',
  cuda: 'cuda',
  dml: 'dml',
  coreml: 'coreml',
  webgpu: 'webgpu',
};

/** 'auto' preference, best first. webgpu is experimental in onnxruntime-node: only on request. */
const AUTO_ORDER: ConcreteDevice[] = ['cuda', 'dml', 'coreml', 'cpu'];

function ortBinDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const pkg = req.resolve('onnxruntime-node/package.json');
    const base = join(dirname(pkg), 'bin');
    const stack = [base];
    while (stack.length) {
      const d = stack.pop()!;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) stack.push(join(d, e.name));
        else if (e.name.startsWith('onnxruntime_binding')) return d;
      }
    }
  } catch {
    /* fall through */
  }
  return null;
}

/** Whether a backend that onnxruntime-node lists as not bundled was actually installed. */
function installed(name: string): boolean {
  const dir = ortBinDir();
  if (!dir) return false;
  const lib = name === 'cuda' ? 'onnxruntime_providers_cuda' : name === 'tensorrt' ? 'onnxruntime_providers_tensorrt' : '';
  if (!lib) return false;
  try {
    return readdirSync(dir).some((f) => f.includes(lib));
  } catch {
    return false;
  }
}

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

/** What this onnxruntime-node build reports (injectable for tests). */
export function ortBackends(): BackendInfo[] {
  try {
    return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
  } catch {
    return [{ name: 'cpu', bundled: true }];
  }
}

/** Devices usable here, best first (cpu is always last and always present). */
export function availableDevices(backends: BackendInfo[] = ortBackends()): ConcreteDevice[] {
  const out = new Set<ConcreteDevice>();
  for (const b of backends) {
    const dev = ORT_TO_DEVICE[b.name];
    if (!dev) continue;
    if (!b.bundled && !installed(b.name)) continue;
    out.add(dev);
  }
  out.add('cpu');
  const order: ConcreteDevice[] = [...AUTO_ORDER, 'webgpu'];
  return order.filter((d) => out.has(d));
}

/**
 * Decide the execution provider. Unknown or unavailable devices are a DEVICE_UNAVAILABLE
 * error that lists the available ones. CPU is always appended as the fallback provider
 * for operators a GPU provider does not implement.
 */
export function chooseDevice(
  requested: string | undefined,
  opts: { threads?: number; backends?: BackendInfo[] } = {},
): DeviceChoice {
  const req = (requested ?? 'auto').toLowerCase();
  const available = availableDevices(opts.backends);
  if (!(DEVICE_NAMES as readonly string[]).includes(req)) {
    throw new CodedError(
      'DEVICE_UNAVAILABLE',
      `Unknown device "${requested}". Choose one of: auto, ${available.join(', ')}.`,
    );
  }
  let device: ConcreteDevice;
  if (req === 'auto') {
    device = AUTO_ORDER.find((d) => available.includes(d)) ?? 'cpu';
  } else {
    device = req as ConcreteDevice;
    if (!available.includes(device)) {
      throw new CodedError(
        'DEVICE_UNAVAILABLE',
        `Device "${device}" is not available on this machine (onnxruntime-node provides: ${available.join(', ')}). ` +
          `Use --device auto or one of those.`,
      );
    }
  }
  const threads = opts.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new CodedError('BAD_REQUEST', `threads must be an integer from 1 to 256 (got ${threads}).`);
  }
  const executionProviders = device === 'cpu' ? ['cpu'] : [device, 'cpu'];
  return { requested: req as DeviceName, device, executionProviders, available, threads };
}

/** Session options for a choice. */
export function sessionOptions(choice: DeviceChoice): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: choice.executionProviders,
    graphOptimizationLevel: 'all',
  };
  if (choice.threads !== undefined) {
    o.intraOpNumThreads = choice.threads;
    o.interOpNumThreads = 1;
  }
  return o;
}
