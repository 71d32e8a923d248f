// The desktop app itself, with Playwright's Electron driver. Runs where an Electron runtime
// exists (downloaded on first `npm start`, or ELECTRON_OVERRIDE_DIST_PATH); elsewhere it
// skips and says why. On Linux without a display, run it under xvfb-run.
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ESM helper shared with `npm start`
import { existingElectronBinary } from '../../.scripts/electron-runtime.mjs';
import { EVAL, REPO } from './web-host';

const binary: string | null = existingElectronBinary();
const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

test.describe('Electron app', () => {
  test.skip(!binary, 'No Electron runtime on this machine (it cannot be downloaded here); the same UI is tested in Chromium through the web host.');
  test.skip(!hasDisplay, 'No display: run the tests under xvfb-run to include the Electron window test.');

  test('opens the hardened window and imports a file', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'pnf-electron-'));
    const app = await electron.launch({
      executablePath: binary!,
      args: [REPO],
      cwd: REPO,
      env: { ...process.env, PNF_USER_DATA: userData, PNF_MODEL: resolve(REPO, 'test/fixtures/models/tiny.json') } as Record<string, string>,
    });
    try {
      const win = await app.firstWindow();
      await expect(win.getByTestId('empty')).toBeVisible();
      // isolation, sandbox and no Node in the page: only the typed api is visible
      const page = await win.evaluate(() => ({
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        api: Object.keys((window as unknown as { api: object }).api).sort(),
      }));
      expect(page.require).toBe('undefined');
      expect(page.process).toBe('undefined');
      // one function per channel, no generic send/invoke/on
      expect(page.api).toEqual(expect.arrayContaining(['appInfo', 'importAudio', 'openProject', 'startJob', 'cancelJob', 'onJobEvent', 'pathForFile']));
      for (const generic of ['send', 'invoke', 'on', 'ipcRenderer']) expect(page.api).not.toContain(generic);
      // navigation away and window.open are refused
      const windowsBefore = app.windows().length;
      await win.evaluate(() => window.open('https://example.com'));
      await win.waitForTimeout(300);
      expect(app.windows().length).toBe(windowsBefore);
      await win.getByTestId('file-input').setInputFiles(resolve(EVAL, 'piano/supra_sample.wav'));
      await expect(win.getByTestId('track')).toHaveCount(1);
      await win.screenshot({ path: resolve(REPO, 'test-results/screenshots/electron-window.png') });
    } finally {
      await app.close();
    }
  });
});
