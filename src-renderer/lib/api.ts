// The ONLY renderer module that knows which host it runs in. In Electron the preload
// exposes `window.api` (one function per channel); in the web host the same contract
// travels over a WebSocket with a per-launch token taken from the URL fragment.
import { CHANNELS, EVENTS, type Api, type AudioImportRequest, type Channel, type ImportedAudio, type JobEvent, type ProgressEvent } from '../../src-shared/ipc/contract';
import { fail, type Result } from '../../src-shared/ipc/result';
import { decodeWire, encodeFrames, FrameAssembler } from '../../src-shared/ipc/wire';

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
  /** Import a File from a drop or the Open dialog (by path in Electron, by bytes on the web). */
  importFile(file: File): ReturnType<Api['importAudio']>;
}

const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

class WebBridge {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private seq = 0;
  private pending = new Map<number, (r: Result<unknown>) => void>();
  readonly jobListeners = new Set<(e: JobEvent) => void>();
  readonly progressListeners = new Set<(e: ProgressEvent) => void>();
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
      ws.onclose = () => {
        this.socket = null;
        for (const [, done] of this.pending) done(fail('INTERNAL', 'The connection to the PnF Studio web host was lost. Restart `npm run web` and reload.'));
        this.pending.clear();
      };
      ws.onmessage = (ev) => {
        const data = ev.data;
        if (!(data instanceof ArrayBuffer)) return;
        try {
          const whole = this.assembler.push(new Uint8Array(data));
          if (!whole) return; // more chunks to come
          const msg = decodeWire(whole) as { seq?: number; result?: Result<unknown>; event?: string; payload?: unknown };
          if (msg.event === EVENTS.job) {
            for (const l of this.jobListeners) l(msg.payload as JobEvent);
          } else if (msg.event === EVENTS.progress) {
            for (const l of this.progressListeners) l(msg.payload as ProgressEvent);
          } else if (typeof msg.seq === 'number' && msg.result) {
            this.pending.get(msg.seq)?.(msg.result);
            this.pending.delete(msg.seq);
          }
        } catch {
          // a malformed frame from the host: ignore it, the request will time out with a message
        }
      };
    });
    return this.opening;
  }

  async request<T>(channel: Channel, payload: unknown): Promise<Result<T>> {
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
        resolve(fail('INTERNAL', `No answer from the web host for ${channel}.`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r as Result<T>);
      });
      for (const frame of encodeFrames({ seq, channel, payload }, seq)) ws.send(frame);
    });
  }
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
      importFile: async (file) => {
        const path = electron.pathForFile(file);
        if (path) return electron.importAudio({ kind: 'path', path });
        return electron.importAudio({ kind: 'bytes', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
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
    importFile: async (file) => importAudio({ kind: 'bytes', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }),
  } as RendererApi;
}

export const api: RendererApi = createApi();
