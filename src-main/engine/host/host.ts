// Engine host: a job queue in front of ONE engine process (child_process.fork). Jobs run one at a
// time; every job ends with exactly one terminal event (done | failed | cancelled). If the engine
// process dies (crash, out of memory, killed), the running job fails with a message and the next
// job starts a fresh process.
//
//   const host = new EngineHost({ modelDir });
//   const job = host.submit(request, (event) => ...);   // queued, running, preview, done|failed|cancelled
//   job.cancel();                                          // within one sampler step
//   const last = await job.done;                           // the terminal event
//   await host.dispose();
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { EngineProgress, DoneEvent, FailedEvent, CancelledEvent } from '../../../src-shared/engine/progress';
import { isTerminal } from '../../../src-shared/engine/progress';
import type { JobRequest } from '../../../src-shared/engine/jobs';
import { CodedError } from '../../../src-shared/ipc/result';
import type { DebugFault, EngineInfo, EngineOptions, HostMessage, WorkerMessage, Unsequenced } from './protocol';
import { isWorkerMessage } from './protocol';

export type TerminalEvent = DoneEvent | FailedEvent | CancelledEvent;

export interface JobHandle {
  jobId: string;
  /** Resolves with the job's terminal event (never rejects). */
  done: Promise<TerminalEvent>;
  cancel(): void;
}

export interface EngineHostOptions extends EngineOptions {
  /** Path of the engine entry; default: worker.js beside this file when bundled, else worker.ts (run with tsx). */
  workerPath?: string;
  /** V8 heap limit for the engine process in MB (an OOM fails the job, not the app). */
  maxOldSpaceMb?: number;
  /** After cancel, kill the engine process if it has not stopped within this many ms (default 5000). */
  cancelGraceMs?: number;
  /** Log sink for engine logs (default console). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

interface Job {
  id: string;
  request: JobRequest;
  options: EngineOptions;
  onEvent: (e: EngineProgress) => void;
  resolve: (e: TerminalEvent) => void;
  fault?: DebugFault;
  cancelled: boolean;
  killTimer?: NodeJS.Timeout;
}

export function defaultWorkerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, 'worker.js'), join(here, 'engine-worker.js'), join(here, 'worker.mjs'), join(here, 'worker.ts')]) {
    if (existsSync(p)) return p;
  }
  return join(here, 'worker.ts');
}

export class EngineHost {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private seq = 0;
  private lastWorkerSeq = 0;
  private queue: Job[] = [];
  private current: Job | null = null;
  private infoWaiters = new Map<number, { resolve: (i: EngineInfo) => void; reject: (e: Error) => void }>();
  private disposed = false;
  /** Process ids of engine processes started (for tests and diagnostics). */
  readonly pids: number[] = [];

  constructor(readonly opts: EngineHostOptions = {}) {}

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    (this.opts.log ?? ((l, m) => (l === 'error' ? console.error(m) : l === 'warn' ? console.warn(m) : undefined)))(level, message);
  }

  private engineOptions(): EngineOptions {
    const { modelDir, model, device, threads } = this.opts;
    return { modelDir, model, device, threads };
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const path = this.opts.workerPath ?? defaultWorkerPath();
    const execArgv: string[] = [];
    if (path.endsWith('.ts')) execArgv.push('--import', 'tsx');
    if (this.opts.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${this.opts.maxOldSpaceMb}`);
    const child = fork(path, [], { serialization: 'advanced', execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.lastWorkerSeq = 0;
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (m: unknown) => {
        if (isWorkerMessage(m) && m.type === 'ready') {
          this.pids.push(m.pid);
          resolve();
        }
      };
      child.on('message', onReady);
      child.once('exit', (code, sig) => reject(new CodedError('ENGINE_FAILED', `The engine process could not start (exit ${code ?? sig}).`)));
      child.once('error', (e) => reject(new CodedError('ENGINE_FAILED', `The engine process could not start: ${e.message}`)));
    });
    this.ready.catch(() => undefined);
    child.on('error', (e) => this.log('warn', `engine host: ${e.message}`)); // e.g. send after the engine died
    child.on('message', (m) => this.onMessage(child, m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    return this.ready;
  }

  private send(m: Unsequenced<HostMessage>): number {
    const seq = ++this.seq;
    const child = this.child;
    if (child?.connected) {
      try {
        child.send({ ...m, seq } as HostMessage, (err) => {
          if (err) this.log('warn', `engine host: could not reach the engine (${err.message})`);
        });
      } catch (e) {
        this.log('warn', `engine host: could not reach the engine (${(e as Error).message})`);
      }
    }
    return seq;
  }

  private onMessage(child: ChildProcess, m: unknown): void {
    if (child !== this.child || !isWorkerMessage(m)) return;
    const wm = m as WorkerMessage;
    if (wm.seq <= this.lastWorkerSeq) {
      this.log('warn', `engine host: dropped out-of-order message ${wm.seq}`);
      return;
    }
    this.lastWorkerSeq = wm.seq;
    switch (wm.type) {
      case 'ready':
        return;
      case 'log':
        this.log(wm.level, wm.message);
        return;
      case 'info':
        this.infoWaiters.get(wm.re)?.resolve(wm.info);
        this.infoWaiters.delete(wm.re);
        return;
      case 'error': {
        const w = this.infoWaiters.get(wm.re);
        const err = new CodedError(wm.error.code, wm.error.message);
        err.name = wm.error.name;
        w?.reject(err);
        this.infoWaiters.delete(wm.re);
        return;
      }
      case 'event': {
        const job = this.current;
        if (!job || wm.event.jobId !== job.id) return;
        this.deliver(job, wm.event);
        return;
      }
    }
  }

  private deliver(job: Job, e: EngineProgress): void {
    try {
      job.onEvent(e);
    } catch (err) {
      this.log('error', `engine host: event listener threw: ${(err as Error).message}`);
    }
    if (isTerminal(e)) {
      if (job.killTimer) clearTimeout(job.killTimer);
      job.resolve(e);
      if (this.current === job) this.current = null;
      this.pump();
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.ready = null;
    for (const w of this.infoWaiters.values()) w.reject(new CodedError('ENGINE_FAILED', 'The engine process stopped.'));
    this.infoWaiters.clear();
    const job = this.current;
    if (job) {
      if (job.cancelled) this.deliver(job, { status: 'cancelled', jobId: job.id });
      else {
        const oom = signal === 'SIGABRT' || code === 134 || signal === 'SIGKILL';
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        this.deliver(job, {
          status: 'failed',
          jobId: job.id,
          code: 'ENGINE_FAILED',
          message: `The engine process stopped unexpectedly (${how})${oom ? ', probably out of memory: try a shorter clip or the draft preset' : ''}. The next job will start a fresh engine.`,
        });
      }
    }
  }

  /** Queue a job. Events arrive through onEvent (queued first). */
  submit(request: JobRequest, onEvent: (e: EngineProgress) => void, debug: { fault?: DebugFault } = {}): JobHandle {
    if (this.disposed) throw new CodedError('ENGINE_FAILED', 'The engine host was shut down.');
    const id = randomUUID();
    let resolve!: (e: TerminalEvent) => void;
    const done = new Promise<TerminalEvent>((r) => (resolve = r));
    const job: Job = { id, request, options: this.engineOptions(), onEvent, resolve, fault: debug.fault, cancelled: false };
    this.queue.push(job);
    onEvent({ status: 'queued', jobId: id, position: this.queue.length - 1 + (this.current ? 1 : 0) });
    this.pump();
    return { jobId: id, done, cancel: () => this.cancel(id) };
  }

  cancel(jobId: string): void {
    const qi = this.queue.findIndex((j) => j.id === jobId);
    if (qi >= 0) {
      const [job] = this.queue.splice(qi, 1);
      job!.cancelled = true;
      this.deliver(job!, { status: 'cancelled', jobId });
      return;
    }
    const job = this.current;
    if (job && job.id === jobId && !job.cancelled) {
      job.cancelled = true;
      if (this.child) this.send({ type: 'cancel', jobId });
      job.killTimer = setTimeout(() => {
        if (this.current === job) {
          this.log('warn', 'engine host: the engine did not stop after cancel; killing it');
          this.child?.kill('SIGKILL');
        }
      }, this.opts.cancelGraceMs ?? 5000);
    }
  }

  private pump(): void {
    if (this.current || this.queue.length === 0 || this.disposed) return;
    const job = this.queue.shift()!;
    this.current = job;
    this.start().then(
      () => {
        if (this.current !== job) return;
        if (job.cancelled) return this.deliver(job, { status: 'cancelled', jobId: job.id });
        this.send({ type: 'run', jobId: job.id, request: job.request, options: job.options, ...(job.fault ? { fault: job.fault } : {}) });
      },
      (e: Error) => {
        if (this.current === job) this.deliver(job, { status: 'failed', jobId: job.id, code: 'ENGINE_FAILED', message: e.message });
      },
    );
  }

  /** Devices and models, as the engine process sees them. */
  async info(): Promise<EngineInfo> {
    await this.start();
    return new Promise<EngineInfo>((resolve, reject) => {
      const seq = this.send({ type: 'info', options: this.engineOptions() });
      this.infoWaiters.set(seq, { resolve, reject });
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const j of this.queue.splice(0)) this.deliver(j, { status: 'cancelled', jobId: j.id });
    if (this.current) this.cancel(this.current.id);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        this.send({ type: 'shutdown' });
      } catch {
        child.kill('SIGKILL');
      }
    });
  }
}
