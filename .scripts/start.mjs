// `npm start`: build, then open the PnF Studio window. Where no Electron runtime can be
// obtained, stop with ONE clear message that names `npm run web`.
import { spawn, spawnSync } from 'node:child_process';
import { NO_RUNTIME_MESSAGE, obtainElectronBinary } from './electron-runtime.mjs';

const electron = obtainElectronBinary();
if (!electron) {
  console.error(NO_RUNTIME_MESSAGE);
  process.exit(1);
}
const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
