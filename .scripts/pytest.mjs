// Runs the Python tests with Debian's python3 (which has python3-torch), and writes
// counts to test-results/pytest.json for the summary. Fails clearly when torch is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const python = process.env.PNF_PYTHON ?? '/usr/bin/python3';
mkdirSync('test-results', { recursive: true });
const probe = spawnSync(python, ['-c', 'import torch, numpy, pytest'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(
    `The Python tests need ${python} with torch, numpy and pytest. On Debian/Ubuntu: ` +
      'sudo apt-get install python3-torch python3-numpy python3-scipy python3-soundfile python3-pytest python3-onnx ' +
      '(or set PNF_PYTHON to a Python that has them).',
  );
  writeFileSync('test-results/pytest.json', JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
  process.exit(1);
}
if (!existsSync('training/tests')) {
  console.error('training/tests is missing.');
  writeFileSync('test-results/pytest.json', JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', 'training/tests', '-q', '-p', 'no:cacheprovider', '--junitxml=test-results/pytest.xml'], { stdio: 'inherit' });
const xml = existsSync('test-results/pytest.xml') ? readFileSync('test-results/pytest.xml', 'utf8') : '';
const attr = (name) => Number(new RegExp(`<testsuite[^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
const tests = attr('tests');
const failed = attr('failures') + attr('errors');
const skipped = attr('skipped');
// pytest exits 5 when it collected no tests: that is a failure here, not a pass.
const passed = Math.max(0, tests - failed - skipped);
writeFileSync('test-results/pytest.json', JSON.stringify({ passed, failed: r.status === 0 ? failed : Math.max(1, failed), skipped }));
process.exit(r.status === 0 ? 0 : 1);
