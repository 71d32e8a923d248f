import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { connect as connectTcp } from 'node:net';
import { startWebHost, type WebHost } from '../../../src-main/web/host';
import { createDispatch } from '../../../src-main/ipc/dispatch';
import { chunkMessageId, decodeWire, encodeWire, FrameAssembler, HANDOVER_EVENT, RELEASE_CHANNEL, TAKEN_OVER_CLOSE_CODE } from '../../../src-shared/ipc/wire';
import { fakeHandlers } from './fake-handlers';

let host: WebHost;
const dir = mkdtempSync(join(tmpdir(), 'pnf-web-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(tmpdir(), 'pnf-secret.txt'), 'secret');

beforeAll(async () => {
  const dispatch = createDispatch(fakeHandlers({
    'app:info': async () => ({ name: 'PnF Studio', version: '0', host: 'web', platform: 'linux', formats: [], projectDir: '/tmp' }),
    // an answer the wire cannot encode (a BigInt): the page must still get a reply
    'project:open': async () => ({ doc: { big: 1n } }) as never,
    'audio:import': async (r) => {
      if (r.kind !== 'bytes') throw new Error('no');
      return {
        blob: 'abcdefgh-0000',
        warnings: [],
        name: r.name,
        format: 'wav',
        sampleRate: 8000,
        channelCount: 1,
        frames: r.bytes.length,
        durationSeconds: r.bytes.length / 8000,
        channels: [new Float32Array(r.bytes.length).fill(0.5)],
        waveform: { sampleRate: 8000, samplesPerPixel: 256, channels: 1, length: 0, bits: 16, bytes: new Uint8Array(24) },
      };
    },
  }));
  host = await startWebHost({ dispatch, rendererDir: dir });
});
afterAll(async () => host?.close());

function connect(opts: { token?: string; origin?: string; host?: string }) {
  const url = `ws://127.0.0.1:${host.port}/ws?token=${opts.token ?? host.token}`;
  return new WebSocket(url, {
    headers: { origin: opts.origin ?? `http://127.0.0.1:${host.port}`, ...(opts.host ? { host: opts.host } : {}) },
  });
}

function outcome(ws: WebSocket): Promise<'open' | 'refused'> {
  return new Promise((ok) => {
    ws.on('open', () => {
      ws.close();
      ok('open');
    });
    ws.on('error', () => ok('refused'));
    ws.on('unexpected-response', () => ok('refused'));
  });
}

describe('web host', () => {
  it('listens on loopback and prints a URL with a token in the fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
  });

  it('serves the renderer with a CSP and refuses other Host headers (DNS rebinding)', async () => {
    const r = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    const rebinding = await new Promise<number>((ok) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example:80' } }, (res) => ok(res.statusCode ?? 0));
        req.end();
      });
    });
    expect(rebinding).toBe(421);
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const p of ['/../pnf-secret.txt', '/%2e%2e/pnf-secret.txt', '/..%2fpnf-secret.txt']) {
      const r = await fetch(`http://127.0.0.1:${host.port}${p}`);
      expect(r.status, p).not.toBe(200);
    }
  });

  it('answers malformed addresses (bad escapes, "//"), also on the WebSocket path, and keeps serving', async () => {
    const raw = (request: string) =>
      new Promise<string>((ok, bad) => {
        const sock = connectTcp(host.port, '127.0.0.1', () => sock.write(request));
        let got = '';
        sock.on('data', (b) => (got += b.toString()));
        sock.on('close', () => ok(got));
        sock.on('error', bad);
        sock.setTimeout(5000, () => sock.destroy());
      });
    const hostHeader = `Host: 127.0.0.1:${host.port}\r\n`;
    for (const path of ['//', '/%E0%A4%A']) {
      expect(await raw(`GET ${path} HTTP/1.1\r\n${hostHeader}Connection: close\r\n\r\n`), path).toMatch(/^HTTP\/1\.1 400/);
      const upgrade = `GET ${path} HTTP/1.1\r\n${hostHeader}Origin: http://127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      expect(await raw(upgrade), `upgrade ${path}`).toMatch(/^HTTP\/1\.1 403/);
    }
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
    expect(await outcome(connect({}))).toBe('open');
  });

  it('accepts the right token from the same origin only', async () => {
    expect(await outcome(connect({}))).toBe('open');
    expect(await outcome(connect({ token: 'wrong' }))).toBe('refused');
    expect(await outcome(connect({ origin: 'https://evil.example' }))).toBe('refused');
    expect(await outcome(connect({ origin: 'null' }))).toBe('refused');
  });

  it('round-trips a request with binary audio, and answers garbage with BAD_REQUEST', async () => {
    const ws = connect({});
    await new Promise((ok) => ws.on('open', ok));
    const replies: unknown[] = [];
    ws.on('message', (d: Buffer) => replies.push(decodeWire(new Uint8Array(d))));
    ws.send(encodeWire({ seq: 1, channel: 'audio:import', payload: { kind: 'bytes', name: 'a.wav', bytes: new Uint8Array(10) } }));
    ws.send(Buffer.from('not a frame'));
    ws.send('text frame');
    ws.send(encodeWire({ seq: 4, channel: 'audio:import', payload: { kind: 'path', path: '/etc/passwd' } }));
    await new Promise<void>((ok) => {
      const t = setInterval(() => {
        if (replies.length >= 4) {
          clearInterval(t);
          ok();
        }
      }, 10);
    });
    ws.close();
    const first = replies.find((r) => (r as { seq: number }).seq === 1) as { result: { ok: boolean; value: { channels: Float32Array[] } } };
    expect(first.result.ok).toBe(true);
    expect(first.result.value.channels[0]).toBeInstanceOf(Float32Array);
    expect(first.result.value.channels[0]![3]).toBe(0.5);
    const bad = replies.filter((r) => (r as { seq: number }).seq === -1) as { result: { ok: boolean; error: { code: string } } }[];
    expect(bad).toHaveLength(2);
    for (const b of bad) expect(b.result.error.code).toBe('BAD_REQUEST');
    const path = replies.find((r) => (r as { seq: number }).seq === 4) as { result: { ok: boolean; error: { code: string } } };
    expect(path.result.ok).toBe(false);
  });

  it('answers with an error when a reply cannot be encoded, and keeps answering', async () => {
    const ws = connect({});
    await new Promise((ok) => ws.on('open', ok));
    const replies: { seq: number; result: { ok: boolean; error?: { code: string } } }[] = [];
    ws.on('message', (d: Buffer) => replies.push(decodeWire(new Uint8Array(d)) as (typeof replies)[number]));
    ws.send(encodeWire({ seq: 11, channel: 'project:open', payload: {} }));
    ws.send(encodeWire({ seq: 12, channel: 'app:info', payload: {} }));
    await expect.poll(() => replies.length).toBe(2);
    ws.close();
    expect(replies.find((r) => r.seq === 11)?.result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(replies.find((r) => r.seq === 12)?.result.ok).toBe(true);
  });

  it('answers a reply too big for the page with TOO_LARGE saying how long the audio is and what to do', async () => {
    const small = await startWebHost({ dispatch: createDispatch(fakeHandlers({
      'audio:import': async (r) => {
        if (r.kind !== 'bytes') throw new Error('no');
        const n = 7200 * 8000; // two hours at 8 kHz, mono: 57.6M samples
        return { blob: 'b', warnings: [], name: r.name, format: 'wav', sampleRate: 8000, channelCount: 1, frames: n, durationSeconds: n / 8000,
          channels: [new Float32Array(n).fill(0.5)], waveform: { sampleRate: 8000, samplesPerPixel: 256, channels: 1, length: 0, bits: 16, bytes: new Uint8Array(24) } };
      },
      'app:info': async () => ({ name: 'PnF Studio', version: '0', host: 'web', platform: 'linux', formats: [], projectDir: '/tmp' }),
    })), rendererDir: dir, maxReplyBytes: 60_000_000 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${small.port}/ws?token=${small.token}`, { headers: { origin: `http://127.0.0.1:${small.port}` } });
      await new Promise((ok) => ws.on('open', ok));
      const replies: { seq: number; result: { ok: boolean; error?: { code: string; message: string } } }[] = [];
      ws.on('message', (d: Buffer) => replies.push(decodeWire(new Uint8Array(d)) as (typeof replies)[number]));
      ws.send(encodeWire({ seq: 21, channel: 'audio:import', payload: { kind: 'bytes', name: 'long talk.wav', bytes: new Uint8Array(8) } }));
      ws.send(encodeWire({ seq: 22, channel: 'app:info', payload: {} }));
      await expect.poll(() => replies.length, { timeout: 20_000 }).toBe(2);
      ws.close();
      const r = replies.find((x) => x.seq === 21)!.result;
      expect(r).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
      expect(r.error!.message).toBe(
        '"long talk.wav" is 2:00:00 of 1-channel audio at 8 kHz: 115 MB as decoded samples, more than the browser editor can take in one piece (60 MB). Split it into shorter parts and open those.',
      );
      expect(replies.find((x) => x.seq === 22)?.result.ok).toBe(true); // and the host keeps answering
    } finally {
      await small.close();
    }
  });

  it('sends a big reply in chunks under its request\'s seq, so the renderer can follow its arrival', async () => {
    const ws = connect({});
    await new Promise((ok) => ws.on('open', ok));
    // the fake answers with n float32 samples of 0.5, which travel as 16-bit: 20 MB, three 8 MB chunks
    const n = 10_000_000;
    const asm = new FrameAssembler();
    const ids: (number | null)[] = [];
    const seen: number[] = [];
    const whole = new Promise<Uint8Array>((ok) =>
      ws.on('message', (d: Buffer) => {
        const frame = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        ids.push(chunkMessageId(frame));
        const done = asm.push(frame);
        const id = chunkMessageId(frame);
        if (!done && id !== null) seen.push(asm.progress(id)!.got);
        if (done) ok(done);
      }),
    );
    ws.send(encodeWire({ seq: 9, channel: 'audio:import', payload: { kind: 'bytes', name: 'a.wav', bytes: new Uint8Array(n) } }));
    const reply = decodeWire(await whole) as { seq: number; result: { ok: boolean; value: { channels: Float32Array[] } } };
    ws.close();
    expect(ids.length).toBe(3);
    expect(ids.every((id) => id === 9)).toBe(true);
    expect(seen.length).toBe(2);
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    expect(reply.seq).toBe(9);
    expect(reply.result.value.channels[0]!.length).toBe(n);
    expect(reply.result.value.channels[0]![n - 1]).toBe(0.5);
  });
  it('lets one page edit at a time, and cancels the jobs of a page that goes', async () => {
    const cancelled: string[] = [];
    let n = 0;
    const jobs = await startWebHost({
      dispatch: createDispatch(fakeHandlers({
        'job:start': async (_r, ctx) => {
          const jobId = `job${++n}`;
          // the first job ends at once; the others keep running
          if (n === 1) setTimeout(() => ctx.emit('job:event', { status: 'cancelled', jobId }), 5);
          return { jobId };
        },
        'job:cancel': async (r) => {
          cancelled.push(r.jobId);
          return { cancelled: true };
        },
      })),
      rendererDir: dir,
      handoverTimeoutMs: 100, // (this page never answers the handover: it is closed after the timeout)
    });
    try {
      const open = (ws: WebSocket) => new Promise((ok) => ws.on('open', ok));
      const url = `ws://127.0.0.1:${jobs.port}/ws?token=${jobs.token}`;
      const headers = { origin: `http://127.0.0.1:${jobs.port}` };
      const a = new WebSocket(url, { headers });
      await open(a);
      const replies: unknown[] = [];
      a.on('message', (d: Buffer) => replies.push(decodeWire(new Uint8Array(d))));
      const start = { kind: 'upsample', blob: 'abcdefgh-0000', targetRate: 16000, options: {} };
      for (const seq of [1, 2, 3]) a.send(encodeWire({ seq, channel: 'job:start', payload: start }));
      await expect.poll(() => replies.filter((r) => (r as { seq?: number }).seq).length).toBe(3);
      await new Promise((ok) => setTimeout(ok, 50)); // (job1's end has come)
      // another page opens the project: the first is told why it is closed, and its running jobs go
      const closed = new Promise<number>((ok) => a.on('close', (code) => ok(code)));
      const b = new WebSocket(url, { headers });
      await open(b);
      expect(await closed).toBe(TAKEN_OVER_CLOSE_CODE);
      await expect.poll(() => [...cancelled].sort()).toEqual(['job2', 'job3']);
      b.close();
    } finally {
      await jobs.close();
    }
  });
  it('hands the project over: the old page saves its last edits before the new page is served', async () => {
    const order: string[] = [];
    let saved = 'nothing';
    const pages = await startWebHost({
      dispatch: createDispatch(fakeHandlers({
        'project:save': async (r) => {
          order.push('save starts');
          await new Promise((ok) => setTimeout(ok, 150)); // (a slow disk)
          saved = `last edit (${r.doc.tracks.length} tracks)`;
          order.push('save ends');
          return { savedAt: new Date().toISOString(), missing: [] };
        },
        'project:open': async () => {
          order.push(`open sees ${saved}`);
          return { doc: { title: saved } } as never;
        },
      })),
      rendererDir: dir,
      handoverTimeoutMs: 10_000, // (long: the release, not the timeout, must end the handover)
    });
    try {
      const url = `ws://127.0.0.1:${pages.port}/ws?token=${pages.token}`;
      const headers = { origin: `http://127.0.0.1:${pages.port}` };
      const open = (ws: WebSocket) => new Promise((ok) => ws.on('open', ok));
      const messages = (ws: WebSocket) => {
        const got: { seq?: number; event?: string; result?: { ok: boolean; value: unknown } }[] = [];
        ws.on('message', (d: Buffer) => got.push(decodeWire(new Uint8Array(d)) as never));
        return got;
      };
      const a = new WebSocket(url, { headers });
      await open(a);
      const fromA = messages(a);
      // page A has an edit it has not saved yet (its save timer is pending) when page B opens the project
      const closed = new Promise<number>((ok) => a.on('close', (code) => ok(code)));
      const handover = new Promise<void>((ok) => a.on('message', (d: Buffer) => (decodeWire(new Uint8Array(d)) as { event?: string }).event === HANDOVER_EVENT && ok()));
      const b = new WebSocket(url, { headers });
      await open(b);
      const fromB = messages(b);
      b.send(encodeWire({ seq: 1, channel: 'project:open', payload: {} })); // B asks at once
      await handover;
      // A saves (the flushed timer), then releases the project
      a.send(encodeWire({ seq: 7, channel: 'project:save', payload: { doc: { version: 1, tracks: [] } } }));
      a.send(encodeWire({ seq: 8, channel: RELEASE_CHANNEL, payload: null }));
      expect(await closed).toBe(TAKEN_OVER_CLOSE_CODE);
      await expect.poll(() => fromB.find((m) => m.seq === 1)?.result).toEqual({ ok: true, value: { doc: { title: 'last edit (0 tracks)' } } });
      expect(order).toEqual(['save starts', 'save ends', 'open sees last edit (0 tracks)']);
      expect(fromA.find((m) => m.seq === 7)?.result?.ok).toBe(true);
      expect(fromA.find((m) => m.seq === 8)?.result?.ok).toBe(true);
      b.close();
    } finally {
      await pages.close();
    }
  });
  it('serves the new page after the timeout when the old page does not release the project', async () => {
    const pages = await startWebHost({
      dispatch: createDispatch(fakeHandlers({ 'project:open': async () => ({ doc: { title: 't' } }) as never })),
      rendererDir: dir,
      handoverTimeoutMs: 300,
    });
    try {
      const url = `ws://127.0.0.1:${pages.port}/ws?token=${pages.token}`;
      const headers = { origin: `http://127.0.0.1:${pages.port}` };
      const open = (ws: WebSocket) => new Promise((ok) => ws.on('open', ok));
      const a = new WebSocket(url, { headers });
      await open(a);
      const closed = new Promise<number>((ok) => a.on('close', (code) => ok(code)));
      const b = new WebSocket(url, { headers });
      await open(b);
      const answered = new Promise<number>((ok) => b.on('message', () => ok(performance.now())));
      const sent = performance.now();
      b.send(encodeWire({ seq: 1, channel: 'project:open', payload: {} }));
      expect(await closed).toBe(TAKEN_OVER_CLOSE_CODE);
      expect((await answered) - sent).toBeGreaterThanOrEqual(250); // (B waited for the timeout: A never released)
      b.close();
    } finally {
      await pages.close();
    }
  });
});
