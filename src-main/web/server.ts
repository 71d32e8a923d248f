// `npm run web`: the web host entry. Serves the editor on 127.0.0.1 (free port, printed)
// with the real main-side services. Opens nothing else.
//   --port=N            listen on port N (default: a free port)
//   --project-dir=DIR   where the project autosaves (default: $PNF_PROJECT_DIR or
//                       $XDG_DATA_HOME/pnf-studio/web-project); exports go to DIR/exports
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createDispatch } from '../ipc/dispatch';
import { createHandlers, exportPathsIn } from '../services';
import { ProjectStore } from '../project/store';
import { EngineHost } from '../engine';
import { startWebHost } from './host';
import { lockProjectFolder, relockProjectFolder } from './project-lock';
import { APP_VERSION } from '../version';

const here = dirname(fileURLToPath(import.meta.url));

function rendererDir(): string {
  const candidates = [join(here, '../renderer'), join(here, '../../out/renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : undefined;
}

function projectDir(): string {
  const given = arg('project-dir') ?? process.env['PNF_PROJECT_DIR'];
  if (given) return resolve(given);
  const data = process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share');
  return join(data, 'pnf-studio', 'web-project');
}

async function main() {
  const port = Number(arg('port') ?? 0);
  const dir = projectDir();
  const unlock = lockProjectFolder(dir);
  process.on('exit', unlock);
  const store = new ProjectStore(dir);
  const workerPath = [join(here, 'engine-worker.js')].find((p) => existsSync(p));
  const engine = new EngineHost({
    // an engine that runs out of memory fails its job, not the app (or the machine)
    maxOldSpaceMb: 3072,
    ...(workerPath ? { workerPath } : {}),
    ...(process.env['PNF_MODEL'] ? { model: resolve(process.env['PNF_MODEL']) } : {}),
  });
  const handlers = createHandlers({
    host: 'web',
    version: APP_VERSION,
    store,
    engine,
    ...exportPathsIn(join(store.dir, 'exports')),
    reveal: async () => false,
  });
  const save = handlers['project:save'];
  handlers['project:save'] = async (req, ctx) => {
    const saved = await save(req, ctx);
    if (!relockProjectFolder(dir)) console.error(`web host: another web host now holds the project folder ${dir}; stop one of them`);
    return saved;
  };
  const dispatch = createDispatch(handlers, (m) => console.error(m));
  const host = await startWebHost({ dispatch, rendererDir: rendererDir(), port, log: (m) => console.error(m) });
  console.log(`PnF Studio web host: ${host.url}`);
  console.log(`Project folder: ${store.dir}`);
  console.log('Open that address in a browser (it includes a one-time token). Press Ctrl+C to stop.');
  const stop = () => void Promise.all([host.close(), engine.dispose()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Test harnesses and tools that start the host set this and keep our stdin open: when
  // they die, stdin closes and the host (with its engine) goes too, instead of lingering.
  if (process.env['PNF_EXIT_WITH_STDIN']) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((e: unknown) => {
  console.error(`PnF Studio web host could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
