import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const results = resolve(dirname(fileURLToPath(import.meta.url)), '../../test-results');

// E2E runs in Debian's Chromium (Playwright cannot download browsers here). No Chromium
// is a FAILURE, not a skip: the UI would go untested.
const chromium = process.env.PNF_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(
    `No Chromium at ${chromium}. The end-to-end tests need one: on Debian/Ubuntu run ` +
      '`sudo apt-get install chromium`, or set PNF_CHROMIUM to a Chromium/Chrome binary.',
  );
}

export default defineConfig({
  testDir: '.',
  outputDir: resolve(results, 'e2e-artifacts'),
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: resolve(results, 'e2e.json') }]],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
});
