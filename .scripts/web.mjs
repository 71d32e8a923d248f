// `npm run web`: build the renderer and main side, then serve the editor on 127.0.0.1
// (free port, printed with its one-time token). Pass --no-build to reuse out/.
import { spawn, spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (!args.includes('--no-build')) {
  const build = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, ['out/main/web.js', ...args.filter((a) => a !== '--no-build')], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
