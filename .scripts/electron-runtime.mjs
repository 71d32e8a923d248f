// Finds the Electron runtime for `npm start` and the Electron E2E tests.
// Electron >= 42 downloads its runtime lazily on first use (not at npm install), so on a
// machine that reaches only the npm registry there may be none: say so clearly.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const NO_RUNTIME_MESSAGE =
  'PnF Studio: the Electron runtime is not available on this machine (it is downloaded on first start and the ' +
  'download failed or is not possible here). Run `npm run web` instead to use the same editor in your browser, ' +
  'or set ELECTRON_OVERRIDE_DIST_PATH to a folder that contains an Electron binary.';

/** Path of an existing Electron binary, or null. Never downloads. */
export function existingElectronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? join(override, rel) : join(pkgDir, 'dist', rel);
  return existsSync(candidate) ? candidate : null;
}

/** Path of the Electron binary, downloading it once if this machine can; null when impossible. */
export function obtainElectronBinary({ timeoutMs = 10 * 60 * 1000 } = {}) {
  const found = existingElectronBinary();
  if (found) return found;
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0 && r.stdout && existsSync(r.stdout)) return r.stdout;
  return null;
}
