// Where does opening a long file spend its time on the main side? Sends one file to the
// built web host over its WebSocket (no browser), with PNF_TRACE=1, and prints the host's
// trace lines and the round trip.   npx tsx bench/editor/import-trace.ts FILE
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WebSocket } from 'ws';
import { decodeWire, encodeFrames, FrameAssembler } from '../../src-shared/ipc/wire';
import { startBuiltWebHost } from '../../test/e2e/web-host';

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error('usage: import-trace.ts FILE');
  const host = await startBuiltWebHost({ env: { PNF_TRACE: '1' } });
  try {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/ws?token=${host.token}`, { headers: { origin: host.origin }, maxPayload: 2 ** 31 - 1 });
    await new Promise((ok, bad) => (ws.once('open', ok), ws.once('error', bad)));
    const bytes = new Uint8Array(readFileSync(file));
    const t0 = performance.now();
    const asm = new FrameAssembler();
    let firstReply = 0;
    let tWhole = 0;
    const reply = new Promise<unknown>((ok) =>
      ws.on('message', (d: Buffer) => {
        firstReply ||= performance.now();
        const whole = asm.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        if (whole) {
          tWhole = performance.now();
          ok(decodeWire(whole));
        }
      }),
    );
    const frames = encodeFrames({ seq: 1, channel: 'audio:import', payload: { kind: 'bytes', name: basename(file), bytes } }, 1);
    const tEnc = performance.now();
    for (const f of frames) ws.send(f);
    const r = (await reply) as { result: { ok: boolean; value?: { frames: number }; error?: unknown } };
    const t1 = performance.now();
    console.log(`client: encode ${(tEnc - t0).toFixed(0)} ms, send ${(performance.now() - tEnc).toFixed(0)} ms (queued), first reply frame at ${(firstReply - t0).toFixed(0)} ms, reply reassembled at ${(tWhole - t0).toFixed(0)} ms, decoded at ${(t1 - t0).toFixed(0)} ms, ok=${r.result.ok}`);
    ws.close();
  } finally {
    await host.stop();
    console.log(host.output.filter((l) => l.includes('[trace]')).join(''));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
