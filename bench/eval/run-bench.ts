// `npm run bench`: the engine benchmark (bench/engine/bench.ts, prints its tables and writes
// bench/engine/results.md); with --all also the editor benchmark on a 60-minute file
// (bench/editor/open-long.ts --minutes=60, needs `npm run build` and Chromium).
// Other arguments are passed to the engine benchmark (e.g. --model-dir DIR --ckpt CKPT --full).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const all = args.includes('--all');
const pass = args.filter((a) => a !== '--all');

function run(script: string, extra: string[]): number {
  console.log(`\n=== npx tsx ${script} ${extra.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, script), ...extra], { stdio: 'inherit', cwd: ROOT });
  if (r.error) console.error(r.error.message);
  return r.status ?? 1;
}

let rc = run('bench/engine/bench.ts', pass);
if (all) rc = run('bench/editor/open-long.ts', ['--minutes=60']) || rc;
else console.log('\n(editor benchmark skipped; `npm run bench -- --all` also runs bench/editor/open-long.ts --minutes=60)');
process.exit(rc);
