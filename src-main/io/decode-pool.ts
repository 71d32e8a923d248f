// Decode off the main thread: one short-lived worker_threads Worker per request (at most
// MAX_CONCURRENT at a time, the rest wait). A fresh worker per file keeps things simple and
// returns the decoders' WASM memory to the OS when it exits; the start-up cost (tens of ms
// bundled) is small next to decoding a file.
//
// Where the worker script comes from:
// * bundled (electron-vite): this code lives in out/main/<bundle>.js or out/main/chunks/*.js;
//   the worker is out/main/decode-worker.js. Electron (>= 18) starts workers from inside
//   app.asar, and the worker's externalised imports (node_modules) resolve there too; the
//   app.asar.unpacked copy is used only if the packager moved the file out of the archive.
// * from source (vitest, tsx, `npm run pnf`): this file is a .ts file; the worker is started
//   with a tiny bootstrap that loads decode-worker.ts through tsx's `tsImport`, so tests
//   exercise the real thread + transfer path.
// * if neither is possible (no built worker, no tsx), the job runs inline on this thread
//   (same results, just not off-thread) - this should only happen in unusual dev setups.
//
// Results: channel and waveform buffers are transferred from the worker (no copies). Errors
// come back as CodedError with the worker's code and message.

import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodedError, isErrorCode } from '../../src-shared/ipc/result';
import { runDecodeJob, type DecodeJobResult, type DecodeRequest } from './decode-job';

export type { DecodeRequest, DecodeJobResult } from './decode-job';

const MAX_CONCURRENT = Math.max(1, Math.min(2, availableParallelism()));

type Launch = { kind: 'file'; path: string } | { kind: 'tsx'; code: string } | { kind: 'inline' };

let launch: Launch | null = null;

function resolveLaunch(): Launch {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (!here.endsWith('.ts')) {
    // .js is what electron-vite writes for a "type": "module" package; .mjs/.cjs if that changes.
    for (const d of [dir, dirname(dir)]) {
      for (const f of ['decode-worker.js', 'decode-worker.mjs', 'decode-worker.cjs']) {
        const p = join(d, f);
        if (existsSync(p)) return { kind: 'file', path: p };
        const unpacked = p.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
        if (unpacked !== p && existsSync(unpacked)) return { kind: 'file', path: unpacked };
      }
    }
  }
  const src = join(dir, 'decode-worker.ts');
  if (existsSync(src)) {
    try {
      // `require.resolve` picks the CommonJS build; its ESM twin (the "import" export) sits beside it.
      const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
      const mjs = cjs.replace(/\.cjs$/, '.mjs');
      const api = existsSync(mjs) ? mjs : cjs;
      const apiUrl = pathToFileURL(api).href;
      const workerUrl = pathToFileURL(src).href;
      const code =
        `import(${JSON.stringify(apiUrl)})` +
        `.then((m) => (m.tsImport ?? m.default.tsImport)(${JSON.stringify(workerUrl)}, ${JSON.stringify(workerUrl)}))` +
        `.catch((e) => { process.nextTick(() => { throw e; }); });`;
      return { kind: 'tsx', code };
    } catch {
      /* tsx not installed: fall through */
    }
  }
  return { kind: 'inline' };
}

/** How decode jobs run in this process (for diagnostics and tests). */
export function decodeLaunchMode(): Launch['kind'] {
  launch ??= resolveLaunch();
  return launch.kind;
}

// --- a tiny semaphore -------------------------------------------------------------------
let running = 0;
const waiting: (() => void)[] = [];
async function acquire(): Promise<void> {
  if (running < MAX_CONCURRENT) {
    running++;
    return;
  }
  await new Promise<void>((r) => waiting.push(r));
}
function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

type WorkerReply = { ok: true; value: DecodeJobResult } | { ok: false; error: { code: unknown; message: unknown } };

function runInWorker(l: Exclude<Launch, { kind: 'inline' }>, request: DecodeRequest, name: string): Promise<DecodeJobResult> {
  return new Promise((resolve, reject) => {
    const worker = l.kind === 'file' ? new Worker(l.path) : new Worker(l.code, { eval: true });
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.once('message', (m: WorkerReply) => {
      done(() => {
        if (m.ok) resolve(m.value);
        else {
          const code = isErrorCode(m.error.code) ? m.error.code : 'INTERNAL';
          reject(new CodedError(code, String(m.error.message)));
        }
      });
    });
    worker.once('error', (e: unknown) => {
      const oom = !!e && typeof e === 'object' && 'code' in e && (e as { code: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      const msg = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      done(() =>
        reject(
          oom
            ? new CodedError('TOO_LARGE', `"${name}" is too large to decode in the memory available. Split it into shorter parts and open those.`)
            : new CodedError('INTERNAL', `Opening "${name}" failed: the decoder stopped unexpectedly (${msg}). Try again; if it keeps happening, convert the file to WAV.`),
        ),
      );
    });
    worker.once('exit', (code) => {
      done(() => reject(new CodedError('INTERNAL', `Opening "${name}" failed: the decoder ended without an answer (exit code ${code}). Try again; if it keeps happening, convert the file to WAV.`)));
    });
    worker.postMessage(request);
  });
}

/** Decode a file (by path or bytes) and compute its waveform summary, off the main thread. */
export async function decodeOffThread(request: DecodeRequest): Promise<DecodeJobResult> {
  launch ??= resolveLaunch();
  const name = request.kind === 'path' ? request.path.split(/[\\/]/).pop() || request.path : request.name;
  await acquire();
  try {
    if (launch.kind === 'inline') return await runDecodeJob(request);
    return await runInWorker(launch, request, name);
  } finally {
    release();
  }
}
