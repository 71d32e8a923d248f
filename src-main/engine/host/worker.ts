// The engine process: runs one job at a time, streams events back, obeys cancel.
// Works as a Node child process (child_process.fork, from source with `--import tsx` or bundled)
// and as an Electron utility process (process.parentPort).
import { CodedError, toAppError } from '../../../src-shared/ipc/result';
import type { EngineProgress } from '../../../src-shared/engine/progress';
import { ModelSet, runJobWithEvents } from '../tasks';
import { engineInfo } from './worker-info';
import type { EngineOptions, HostMessage, WorkerMessage, Unsequenced } from './protocol';
import { isHostMessage } from './protocol';

interface ParentPort {
  on(ev: 'message', f: (e: { data: unknown }) => void): void;
  postMessage(m: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

let seq = 0;
function send(m: Unsequenced<WorkerMessage>): void {
  const msg = { ...m, seq: ++seq } as WorkerMessage;
  if (parentPort) parentPort.postMessage(msg);
  else if (process.send) process.send(msg);
}

const modelSets = new Map<string, ModelSet>();
function modelsFor(o: EngineOptions): ModelSet {
  const key = JSON.stringify([o.modelDir ?? null, o.model ?? null, o.device ?? 'auto', o.threads ?? null]);
  let m = modelSets.get(key);
  if (!m) {
    m = new ModelSet({ modelDir: o.modelDir, model: o.model, device: o.device, threads: o.threads });
    modelSets.set(key, m);
  }
  return m;
}

const running = new Map<string, AbortController>();

async function handle(m: HostMessage): Promise<void> {
  switch (m.type) {
    case 'run': {
      const ac = new AbortController();
      running.set(m.jobId, ac);
      let steps = 0;
      const emit = (event: EngineProgress) => {
        if (m.fault && event.status === 'running' && ++steps === 2) fault(m.fault);
        send({ type: 'event', re: m.seq, event });
      };
      try {
        // the request's device / threads win over the host's defaults
        const o = { ...m.options, device: m.request.device ?? m.options.device, threads: m.request.threads ?? m.options.threads };
        await runJobWithEvents(m.request, { priors: modelsFor(o), jobId: m.jobId, emit, signal: ac.signal });
      } finally {
        running.delete(m.jobId);
      }
      return;
    }
    case 'cancel':
      running.get(m.jobId)?.abort();
      return;
    case 'info':
      try {
        send({ type: 'info', re: m.seq, info: await engineInfo(m.options) });
      } catch (e) {
        const a = toAppError(e);
        send({ type: 'error', re: m.seq, error: { name: 'CodedError', code: a.code, message: a.message } });
      }
      return;
    case 'shutdown':
      for (const ms of modelSets.values()) await ms.dispose();
      process.exit(0);
  }
}

function fault(kind: 'crash' | 'oom' | 'hang'): void {
  if (kind === 'crash') process.exit(70);
  if (kind === 'hang') {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      /* busy: ignores cancel */
    }
  }
  if (kind === 'oom') {
    // on-heap (JS arrays), so the V8 heap limit (--max-old-space-size) ends it quickly
    const keep: number[][] = [];
    for (;;) keep.push(new Array<number>(1 << 20).fill(Math.random()));
  }
}

let lastSeq = 0;
function onMessage(raw: unknown): void {
  if (!isHostMessage(raw)) {
    send({ type: 'log', level: 'warn', message: 'engine: ignored a malformed message' });
    return;
  }
  if (raw.seq <= lastSeq) {
    send({ type: 'log', level: 'warn', message: `engine: out-of-order message seq ${raw.seq} after ${lastSeq}` });
    return;
  }
  lastSeq = raw.seq;
  handle(raw).catch((e) => {
    const a = toAppError(e);
    send({ type: 'log', level: 'error', message: `engine: ${a.message}` });
    if (raw.type === 'run') send({ type: 'event', re: raw.seq, event: { status: 'failed', jobId: raw.jobId, code: e instanceof CodedError ? e.code : 'ENGINE_FAILED', message: a.message } });
  });
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
