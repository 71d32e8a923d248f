// `npm run web`: the web host entry. Serves the editor on 127.0.0.1 (free port, printed)
// with the real main-side services. Opens nothing else.
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDispatch } from '../ipc/dispatch';
import { createHandlers } from '../services';
import { startWebHost } from './host';
import { APP_VERSION } from '../version';

function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../renderer'), join(here, '../../out/renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

async function main() {
  const portArg = process.argv.find((a) => a.startsWith('--port='));
  const port = portArg ? Number(portArg.slice(7)) : 0;
  const dispatch = createDispatch(createHandlers({ host: 'web', version: APP_VERSION }), (m) => console.error(m));
  const host = await startWebHost({ dispatch, rendererDir: rendererDir(), port, log: (m) => console.error(m) });
  console.log(`PnF Studio web host: ${host.url}`);
  console.log('Open that address in a browser (it includes a one-time token). Press Ctrl+C to stop.');
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`PnF Studio web host could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
