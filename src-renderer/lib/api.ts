// The ONLY renderer module that knows which host it runs in. In Electron the preload
// exposes `window.api` (one function per channel); in the web host the same contract
// travels over a WebSocket with a per-launch token taken from the URL fragment.
import { CHANNELS, EVENTS, fileTooLargeText, MAX_IMPORT_BYTES, type Api, type AudioImportRequest, type Channel, type ImportedAudio, type JobEvent, type ProgressEvent } from '../../src-shared/ipc/contract';
import { fail, type Result } from '../../src-shared/ipc/result';
import { chunkMessageId, decodeWire, encodeFrames, FrameAssembler, HANDOVER_EVENT, RELEASE_CHANNEL, TAKEN_OVER_CLOSE_CODE } from '../../src-shared/ipc/wire';
import { playableFromPcm16 } from './playback-buffers';

export type HostKind = 'electron' | 'web';

interface ElectronApi extends Api {
  pathForFile(file: File): string;
}

declare global {
  interface Window {
    api?: ElectronApi;
  }
}

export interface RendererApi extends Api {
  host: HostKind;
  /**
   * Import a File from a drop or the Open dialog (by path in Electron, by bytes on the web).
   * The main side reports its stages as progress events under `progress.id`; on the web,
   * `onSent` and `onReceived` follow the file's upload and the decoded audio's arrival.
   */
  importFile(file: File, progress?: ImportProgress): ReturnType<Api['importAudio']>;
  /** getAudio, following the answer's arrival (0..1) where it travels over the web host's socket. */
  readAudio(request: { blob: string }, onReceived?: (fraction: number) => void): ReturnType<Api['getAudio']>;
  /** Called once if another page opened the project (web host: one editor at a time); returns an unsubscribe. */
  onTakenOver(listener: () => void): () => void;
  /**
   * Called when another page is opening the project (web host), before this one is closed: the
   * listener saves what is not saved yet; when it settles, the project is released to the other
   * page (onTakenOver follows). Returns an unsubscribe.
   */
  onHandover(listener: () => Promise<void>): () => void;
}

/** What a page that lost the project to another page is told, and answers every request with. */
export const TAKEN_OVER_TEXT =
  'This project was opened in another tab or window. This one has stopped saving so that the two cannot overwrite each other\'s work: close it and carry on in the other one.';

/** Follows one big request over the web host's socket: the upload, then the answer's arrival (0..1). */
export interface TransferWatch {
  onSent?: (fraction: number) => void;
  onReceived?: (fraction: number) => void;
}

export interface ImportProgress extends TransferWatch {
  id: string;
}

const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;
/** How often the upload of a large request is sampled (WebSocket.bufferedAmount). */
const SENT_POLL_MS = 150;

class WebBridge {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private seq = 0;
  private pending = new Map<number, (r: Result<unknown>) => void>();
  /** seq -> who follows the arrival of that request's (chunked) answer */
  private receiving = new Map<number, (fraction: number) => void>();
  readonly jobListeners = new Set<(e: JobEvent) => void>();
  readonly progressListeners = new Set<(e: ProgressEvent) => void>();
  readonly takenOverListeners = new Set<() => void>();
  readonly handoverListeners = new Set<() => Promise<void>>();
  /** Another page has the project now: never reconnect (that would take it back). */
  private takenOver = false;
  private assembler = new FrameAssembler();

  constructor(private readonly token: string) {}

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const url = `ws://${location.host}/ws?token=${encodeURIComponent(this.token)}`;
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        this.socket = ws;
        this.opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        this.opening = null;
        reject(new Error('Cannot reach the PnF Studio web host. Is `npm run web` still running, and did you open the exact address it printed (with its #token)?'));
      };
      ws.onclose = (ev) => {
        this.socket = null;
        const takenOver = ev.code === TAKEN_OVER_CLOSE_CODE;
        const message = takenOver ? TAKEN_OVER_TEXT : 'The connection to the PnF Studio web host was lost. Restart `npm run web` and reload.';
        for (const [, done] of this.pending) done(fail('INTERNAL', message));
        this.pending.clear();
        this.receiving.clear();
        if (takenOver && !this.takenOver) {
          this.takenOver = true;
          for (const l of this.takenOverListeners) l();
        }
      };
      ws.onmessage = (ev) => {
        const data = ev.data;
        if (!(data instanceof ArrayBuffer)) return;
        try {
          const frame = new Uint8Array(data);
          const whole = this.assembler.push(frame);
          if (!whole) {
            // more chunks to come; a reply's chunks carry its request's seq (the host's rule)
            const id = chunkMessageId(frame);
            const p = id === null ? null : this.assembler.progress(id);
            if (id !== null && p) this.receiving.get(id)?.(p.got / p.total);
            return;
          }
          const msg = decodeWire(whole, { pcm16Audio: playableFromPcm16 }) as { seq?: number; result?: Result<unknown>; event?: string; payload?: unknown };
          if (msg.event === EVENTS.job) {
            for (const l of this.jobListeners) l(msg.payload as JobEvent);
          } else if (msg.event === EVENTS.progress) {
            for (const l of this.progressListeners) l(msg.payload as ProgressEvent);
          } else if (msg.event === HANDOVER_EVENT) {
            void this.handOver();
          } else if (typeof msg.seq === 'number' && msg.result) {
            this.pending.get(msg.seq)?.(msg.result);
            this.pending.delete(msg.seq);
            this.receiving.delete(msg.seq);
          }
        } catch {
          // a malformed frame from the host: ignore it, the request will time out with a message
        }
      };
    });
    return this.opening;
  }

  /** Another page is opening the project: save (the listeners), then release it to that page. */
  private async handOver(): Promise<void> {
    await Promise.allSettled([...this.handoverListeners].map((l) => l()));
    await this.request(RELEASE_CHANNEL as Channel, null);
  }

  async request<T>(channel: Channel, payload: unknown, watch: TransferWatch = {}): Promise<Result<T>> {
    if (this.takenOver) return fail('INTERNAL', TAKEN_OVER_TEXT);
    let ws: WebSocket;
    try {
      ws = await this.open();
    } catch (e) {
      return fail('INTERNAL', e instanceof Error ? e.message : String(e));
    }
    const seq = ++this.seq;
    return new Promise<Result<T>>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        this.receiving.delete(seq);
        resolve(fail('INTERNAL', `No answer from the web host for ${channel}.`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r as Result<T>);
      });
      let total = 0;
      for (const frame of encodeFrames({ seq, channel, payload }, seq)) {
        ws.send(frame);
        total += frame.byteLength;
      }
      if (watch.onReceived) this.receiving.set(seq, watch.onReceived);
      if (watch.onSent) followUpload(ws, total, watch.onSent, () => !this.pending.has(seq));
    });
  }
}

/** Reports the sent fraction of the last `total` bytes queued on `ws` until they are out (or `stop()`). */
function followUpload(ws: WebSocket, total: number, onSent: (fraction: number) => void, stop: () => boolean): void {
  const tick = () => {
    const fraction = total > 0 ? Math.min(1, Math.max(0, 1 - ws.bufferedAmount / total)) : 1;
    onSent(fraction);
    if (fraction < 1 && !stop() && ws.readyState === WebSocket.OPEN) setTimeout(tick, SENT_POLL_MS);
  };
  tick();
}

function tokenFromLocation(): string {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  return m ? decodeURIComponent(m[1]!) : '';
}

function createApi(): RendererApi {
  const electron = window.api;
  if (electron) {
    return {
      ...electron,
      host: 'electron',
      readAudio: (request) => electron.getAudio(request),
      onTakenOver: () => () => {}, // (one window per project: the app holds a single-instance lock)
      onHandover: () => () => {},
      importFile: async (file, progress) => {
        const progressId = progress ? { progressId: progress.id } : {};
        const path = electron.pathForFile(file);
        if (path) return electron.importAudio({ kind: 'path', path, ...progressId });
        return electron.importAudio({ kind: 'bytes', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()), ...progressId });
      },
    };
  }
  const bridge = new WebBridge(tokenFromLocation());
  const call =
    <C extends Channel, R>(channel: C) =>
    (request: unknown = {}) =>
      bridge.request<R>(channel, request);
  const importAudio = (req: AudioImportRequest) => bridge.request<ImportedAudio>(CHANNELS.audioImport, req);
  return {
    host: 'web',
    appInfo: () => call(CHANNELS.appInfo)(),
    importAudio,
    getAudio: call(CHANNELS.audioGet),
    restoreAudio: call(CHANNELS.audioRestore),
    readAudio: (request: { blob: string }, onReceived?: (fraction: number) => void) =>
      bridge.request(CHANNELS.audioGet, request, onReceived ? { onReceived } : {}),
    openProject: () => call(CHANNELS.projectOpen)(),
    saveProject: call(CHANNELS.projectSave),
    acceptFill: call(CHANNELS.editAcceptFill),
    engineInfo: () => call(CHANNELS.engineInfo)(),
    startJob: call(CHANNELS.jobStart),
    cancelJob: call(CHANNELS.jobCancel),
    exportWav: call(CHANNELS.exportWav),
    reveal: call(CHANNELS.shellReveal),
    onJobEvent: (listener: (e: JobEvent) => void) => {
      bridge.jobListeners.add(listener);
      return () => void bridge.jobListeners.delete(listener);
    },
    onProgress: (listener: (e: ProgressEvent) => void) => {
      bridge.progressListeners.add(listener);
      return () => void bridge.progressListeners.delete(listener);
    },
    onTakenOver: (listener: () => void) => {
      bridge.takenOverListeners.add(listener);
      return () => void bridge.takenOverListeners.delete(listener);
    },
    onHandover: (listener: () => Promise<void>) => {
      bridge.handoverListeners.add(listener);
      return () => void bridge.handoverListeners.delete(listener);
    },
    importFile: async (file, progress) => {
      if (file.size > MAX_IMPORT_BYTES) return fail('TOO_LARGE', fileTooLargeText(file.name, file.size));
      const bytes = new Uint8Array(await file.arrayBuffer());
      const req: AudioImportRequest = { kind: 'bytes', name: file.name, bytes, ...(progress ? { progressId: progress.id } : {}) };
      return bridge.request<ImportedAudio>(CHANNELS.audioImport, req, progress ?? {});
    },
  } as RendererApi;
}

export const api: RendererApi = createApi();
