// `npm test`: every suite, in order, with one summary line at the end.
//   1. typecheck (tsc per runtime + svelte-check)
//   2. unit + engine tests (Vitest)
//   3. Python tests (training/, pytest with Debian's python3-torch)
//   4. build, then end-to-end tests in Chromium through the web host (Playwright)
// Any failing suite fails the run. Counts come from each runner's JSON/XML report.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

mkdirSync('test-results', { recursive: true });
const node = process.execPath;
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSuites = [];

function run(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) failedSuites.push(name);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

// 1. types
const tsc = 'node_modules/typescript/bin/tsc';
const typesOk =
  run('typecheck shared', node, [tsc, '-p', 'src-shared']) &&
  run('typecheck main', node, [tsc, '-p', 'src-main']) &&
  run('typecheck tests', node, [tsc, '-p', 'test']) &&
  run('typecheck renderer', node, ['node_modules/svelte-check/bin/svelte-check', '--tsconfig', 'src-renderer/tsconfig.json', '--threshold', 'error', '--output', 'human']);
totals[typesOk ? 'passed' : 'failed'] += 1;

// 2. vitest
run('unit', node, ['node_modules/vitest/vitest.mjs', 'run', '-c', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', '--outputFile=test-results/vitest.json']);
const v = readJson('test-results/vitest.json');
if (v) {
  totals.passed += v.numPassedTests ?? 0;
  totals.failed += v.numFailedTests ?? 0;
  totals.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
} else totals.failed += 1;

// 3. python
run('python', node, ['.scripts/pytest.mjs']);
const py = existsSync('test-results/pytest.json') ? readJson('test-results/pytest.json') : null;
if (py) {
  totals.passed += py.passed;
  totals.failed += py.failed;
  totals.skipped += py.skipped;
} else totals.failed += 1;

// 4. build + e2e
if (run('build', node, ['node_modules/electron-vite/bin/electron-vite.js', 'build'])) {
  run('e2e', node, ['node_modules/@playwright/test/cli.js', 'test', '-c', 'test/e2e/playwright.config.ts']);
  const e = readJson('test-results/e2e.json');
  if (e?.stats) {
    totals.passed += e.stats.expected ?? 0;
    totals.failed += (e.stats.unexpected ?? 0) + (e.stats.flaky ?? 0);
    totals.skipped += e.stats.skipped ?? 0;
  } else totals.failed += 1;
} else totals.failed += 1;

console.log('');
if (failedSuites.length) console.log(`Failed suites: ${failedSuites.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSuites.length || totals.failed ? 1 : 0);
