// The web host: serves the built renderer and the SAME contract as Electron IPC over a
// WebSocket, on loopback only. A random per-launch token (in the URL fragment, never sent
// in HTTP requests) plus Host and Origin checks keep other web pages and DNS-rebinding
// tricks from driving it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHANNELS, EVENTS } from '../../src-shared/ipc/channels';
import { isTerminal, type EngineProgress } from '../../src-shared/engine/progress';
import { decodeWire, frameStream, FrameAssembler, HANDOVER_EVENT, MAX_MESSAGE_BYTES, MessageTooLargeError, RELEASE_CHANNEL, TAKEN_OVER_CLOSE_CODE } from '../../src-shared/ipc/wire';
import { fail, type Result } from '../../src-shared/ipc/result';
import { formatBytes, formatDuration, formatRate } from '../../src-shared/audio/format';
import type { Dispatch, RequestContext } from '../ipc/dispatch';
import { CONTENT_SECURITY_POLICY } from '../security';
import { trace } from '../trace';

export interface WebHostOptions {
  dispatch: Dispatch;
  rendererDir: string;
  port?: number;
  token?: string;
  log?: (msg: string) => void;
  /** Largest WebSocket message accepted (bytes). */
  maxMessageBytes?: number;
  /** Largest reply sent (bytes; the page takes at most MAX_MESSAGE_BYTES). */
  maxReplyBytes?: number;
  /** How long a page that loses the project to another may take to save and release it (ms). */
  handoverTimeoutMs?: number;
}

/** Long enough for a page to save its project document (it is small: the audio is saved already). */
const HANDOVER_TIMEOUT_MS = 5000;

/**
 * What the page is told when an answer is too big to send in one message: for audio, how long
 * it is and what to do; otherwise the sizes.
 */
export function tooLargeMessage(result: Result<unknown>, bytes: number, limit: number): string {
  const v = (result.ok ? result.value : null) as { name?: unknown; durationSeconds?: unknown; channelCount?: unknown; sampleRate?: unknown; audio?: unknown } | null;
  const sizes = `${formatBytes(bytes)} as decoded samples, more than the browser editor can take in one piece (${formatBytes(limit)})`;
  if (v && typeof v.durationSeconds === 'number' && typeof v.channelCount === 'number' && typeof v.sampleRate === 'number') {
    const what = typeof v.name === 'string' ? `"${v.name}"` : 'This audio';
    return `${what} is ${formatDuration(v.durationSeconds, 0)} of ${v.channelCount}-channel audio at ${formatRate(v.sampleRate)}: ${sizes}. Split it into shorter parts and open those.`;
  }
  if (v && Array.isArray(v.audio)) return `The project's audio is ${sizes}. Export long tracks, remove them from the project, and open it again.`;
  return `The answer is ${sizes}.`;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Bytes the socket may hold before a big message waits for it to drain. */
const SEND_HIGH_WATER = 32 * 1024 * 1024;

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A page connected to the web host. */
interface Page {
  ws: WebSocket;
  /** Settles when the page before it has handed the project over: its requests wait for that. */
  ready: Promise<void>;
  emit: (event: string, payload: unknown) => void;
  /** Set while the page is asked to hand the project over: called when it has released it. */
  release: (() => void) | null;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const log = opts.log ?? (() => {});
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = resolve(opts.rendererDir);
  try {
    await stat(join(root, 'index.html'));
  } catch {
    throw new Error(`The web UI is not built (no ${join(root, 'index.html')}). Run "npm run build" first.`);
  }
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  // whatever a request does wrong is that request's failure, never the host's
  const server = createServer((req, res) =>
    void serveStatic(req, res).catch((e: unknown) => {
      log(`web host: a request for ${JSON.stringify(req.url)} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    }),
  );

  async function serveStatic(req: IncomingMessage, res: ServerResponse) {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const url = parseRequestUrl(req.url);
    if (!url) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request');
      return;
    }
    const urlPath = url.path;
    const rel = urlPath === '/' ? 'index.html' : normalize(urlPath).replace(/^([/\\])+/, '');
    const file = resolve(root, rel);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? MAX_MESSAGE_BYTES });
  const maxReply = Math.min(opts.maxReplyBytes ?? MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES);
  /** The page that edits the project (one at a time; see below). */
  let editor: Page | null = null;
  server.on('upgrade', (req, socket, head) => {
    const url = parseRequestUrl(req.url);
    const origin = req.headers.origin ?? '';
    const hostOk = allowedHosts().has(req.headers.host ?? '');
    const originOk = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    const tokenOk = sameToken(url?.token ?? '', token);
    if (url?.path !== '/ws' || !hostOk || !originOk || !tokenOk) {
      log(`web host: refused a WebSocket (${!url ? 'malformed address' : !hostOk ? 'host' : !originOk ? 'origin' : !tokenOk ? 'token' : 'path'})`);
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // one editor at a time: the page that opened the project last has it. The one before is
      // asked to save first and then closed (it stops saving and says why), and the new page's
      // requests wait for that, so two tabs never save over each other's work and the new page
      // opens the project with the old page's last edits in it
      const previous = editor;
      editor = serveSocket(ws, previous ? previous.ready.then(() => handOver(previous)) : Promise.resolve());
    });
  });

  /** Asks the editing page to save and release the project; closes it when it has (or after the timeout). */
  function handOver(previous: Page): Promise<void> {
    if (previous.ws.readyState !== previous.ws.OPEN) return Promise.resolve();
    log('web host: the project was opened in another page; asking the previous page to save and stop');
    return new Promise<void>((done) => {
      const finish = () => {
        clearTimeout(timer);
        previous.ws.off('close', finish);
        previous.release = null;
        if (previous.ws.readyState === previous.ws.OPEN) previous.ws.close(TAKEN_OVER_CLOSE_CODE, 'The project was opened in another tab or window.');
        done();
      };
      const timer = setTimeout(() => {
        log('web host: the previous page did not release the project in time; closing it');
        finish();
      }, opts.handoverTimeoutMs ?? HANDOVER_TIMEOUT_MS);
      previous.ws.on('close', finish);
      previous.release = finish;
      previous.emit(HANDOVER_EVENT, null);
    });
  }

  /** Serves one page; its requests wait for `ready` (the handover from the page before it). */
  function serveSocket(ws: WebSocket, ready: Promise<void>): Page {
    const assembler = new FrameAssembler();
    let eventId = 0;
    let firstFrameAt = 0;
    // Messages go out one after another, in order. A big one is made chunk by chunk and waits
    // whenever the socket holds more than SEND_HIGH_WATER bytes, so a whole track's audio is
    // never copied into the socket's queue at once (it was: 1.3 GB more peak memory for an hour).
    // A message that cannot be encoded is logged (and a reply replaced by `fallback`), and never
    // stops the messages after it.
    let outbox: Promise<void> = Promise.resolve();
    const send = (message: unknown, messageId: number, fallback?: (e: unknown) => unknown) => {
      outbox = outbox
        .then(() => sendNow(message, messageId))
        .catch((e: unknown) => {
          log(`web host: could not send a message: ${e instanceof Error ? e.message : String(e)}`);
          if (fallback) return sendNow(fallback(e), messageId).catch(() => {});
        });
    };
    async function sendNow(message: unknown, messageId: number) {
      const t = performance.now();
      let frames = 0;
      for (const frame of frameStream(message, messageId, undefined, maxReply)) {
        if (ws.readyState !== ws.OPEN) return;
        const written = new Promise<void>((done) => ws.send(frame, () => done()));
        frames++;
        if (ws.bufferedAmount > SEND_HIGH_WATER) await written;
      }
      if (frames > 1) trace(`sent ${frames} chunks in ${(performance.now() - t).toFixed(0)} ms`);
    }
    // A reply travels under its request's seq, so the renderer can follow a big reply's arrival;
    // events use ids from 2^31 up, so the two never share an id.
    const replyId = (seq: number) => (seq >>> 0) & 0x7fffffff;
    // the jobs this page started and that have not ended: cancelled if the page goes (closed,
    // reloaded, or taken over by another page), so that nobody's job keeps the engine busy
    const jobs = new Set<string>();
    const sendEvent = (event: string, payload: unknown) => send({ event, payload }, 0x80000000 + (eventId++ % 0x80000000));
    const ctx: RequestContext = {
      emit: (event, payload) => {
        if (event === EVENTS.job && isTerminal(payload as EngineProgress)) jobs.delete((payload as EngineProgress).jobId);
        sendEvent(event, payload);
      },
    };
    // messages being handled: a page releases the project only after those before the release are answered (its last save)
    const inFlight = new Set<Promise<unknown>>();
    const page: Page = { ws, ready, emit: sendEvent, release: null };
    ws.on('close', () => {
      for (const jobId of jobs) {
        log(`web host: the page that started job ${jobId} is gone; cancelling it`);
        void opts.dispatch(CHANNELS.jobCancel, { jobId }, ctx).catch(() => {});
      }
      jobs.clear();
    });
    ws.on('message', (data, isBinary) => {
      const before = [...inFlight];
      const handled = handle(data, isBinary, before);
      inFlight.add(handled);
      void handled.finally(() => inFlight.delete(handled));
    });
    /** One message; `before`: the page's requests still being handled when it came. */
    async function handle(data: WebSocket.RawData, isBinary: boolean, before: Promise<unknown>[]): Promise<void> {
      let seq: unknown = null;
      try {
        if (!isBinary) throw new Error('text frames are not part of the protocol');
        const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
        const whole = assembler.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        if (!whole) {
          firstFrameAt ||= performance.now();
          return; // more chunks to come
        }
        if (firstFrameAt) trace(`received a chunked message in ${(performance.now() - firstFrameAt).toFixed(0)} ms`);
        firstFrameAt = 0;
        const tw = performance.now();
        const msg = decodeWire(whole);
        trace(`decoded the message in ${(performance.now() - tw).toFixed(0)} ms`);
        if (!msg || typeof msg !== 'object') throw new Error('not an object');
        const m = msg as { seq?: unknown; channel?: unknown; payload?: unknown };
        seq = m.seq;
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw new Error('missing sequence number');
        if (m.channel === RELEASE_CHANNEL) {
          // (the page has saved: once the requests it sent before are answered, the next page may have the project)
          await Promise.allSettled(before);
          send({ seq, result: { ok: true, value: null } }, replyId(seq));
          await outbox;
          page.release?.();
          return;
        }
        await ready;
        const td = performance.now();
        const result = await opts.dispatch(m.channel, m.payload, ctx);
        if (m.channel === CHANNELS.jobStart && result.ok) {
          const jobId = (result.value as { jobId?: unknown }).jobId;
          if (typeof jobId === 'string') {
            if (ws.readyState === ws.OPEN) jobs.add(jobId);
            else void opts.dispatch(CHANNELS.jobCancel, { jobId }, ctx).catch(() => {}); // (the page went while it started)
          }
        }
        trace(`${String(m.channel)} handled in ${(performance.now() - td).toFixed(0)} ms`);
        send({ seq, result }, replyId(seq as number), (e) => ({
          seq,
          result:
            e instanceof MessageTooLargeError
              ? fail('TOO_LARGE', tooLargeMessage(result, e.bytes, e.limit))
              : fail('INTERNAL', 'The answer could not be sent to the page.'),
        }));
      } catch (e) {
        log(`web host: bad message: ${e instanceof Error ? e.message : String(e)}`);
        const s = typeof seq === 'number' ? seq : -1;
        send({ seq: s, result: fail('BAD_REQUEST', 'Malformed message.') }, replyId(s));
      }
    }
    return page;
  }

  await new Promise<void>((ok, bad) => {
    server.once('error', bad);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}/#token=${token}`;
  return {
    url,
    port,
    token,
    close: () =>
      new Promise<void>((ok) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * A request's decoded path and its `token` parameter, or null for an address that does not parse
 * (bad percent-escapes, "//"): any page may make the browser send one, and it must be answered,
 * not crash the host.
 */
export function parseRequestUrl(raw: string | undefined): { path: string; token: string | null } | null {
  try {
    const url = new URL(raw ?? '/', 'http://x');
    return { path: decodeURIComponent(url.pathname), token: url.searchParams.get('token') };
  } catch {
    return null;
  }
}
