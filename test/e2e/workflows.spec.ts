// The three workflows end to end in Chromium through the web host, with the tiny fixture
// model (fast, same interface as the shipped priors) at the draft preset: live previews,
// cancel, alternatives, undo/redo, export, reopen. Screenshots in test-results/screenshots.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EVAL, REPO, startBuiltWebHost, TINY_MODEL, type RunningHost } from './web-host';
import { encodeWav } from '../../src-main/io/wav-encode';

const SHOTS = resolve(REPO, 'test-results/screenshots');
mkdirSync(SHOTS, { recursive: true });
const CLIP = resolve(EVAL, 'voice/vctk_p308_092_mulaw.wav'); // 3.3 s, 22.05 kHz mono

let host: RunningHost;
test.beforeEach(async () => {
  host = await startBuiltWebHost({ env: { PNF_MODEL: TINY_MODEL } });
});
test.afterEach(async () => {
  await host?.stop();
});

async function open(page: Page, file = CLIP) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await page.getByTestId('preset').selectOption('draft');
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('track')).toHaveCount(1);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  return errors;
}

/** A cheap fingerprint of what a lane's zoom view shows. */
async function lanePixels(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().locator('[data-testid="zoomview"]').evaluate((el) => {
    let h = 0;
    for (const c of Array.from(el.querySelectorAll('canvas'))) {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i]! + 7 * d[i + 1]! + 13 * d[i + 3]!) | 0;
    }
    return String(h);
  });
}

/** Forget long tasks so far (page load, import): measure only while a job runs. */
async function resetLongTasks(page: Page) {
  await page.evaluate(() => ((window as unknown as { __pnfLongTasks: number[] }).__pnfLongTasks.length = 0));
}

async function maxLongTaskMs(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, ...((window as unknown as { __pnfLongTasks?: number[] }).__pnfLongTasks ?? [])));
}

function report(name: string, data: unknown) {
  mkdirSync(resolve(REPO, 'test-results'), { recursive: true });
  writeFileSync(resolve(REPO, `test-results/${name}.json`), JSON.stringify(data, null, 2));
  console.log(`[report] ${name}: ${JSON.stringify(data)}`);
}

test('split stems: lanes appear at once, refine live, land aligned; undo/redo; reopen restores', async ({ page }) => {
  const errors = await open(page);
  await resetLongTasks(page);
  await page.getByTestId('track-menu').click();
  await page.getByTestId('split').click();
  const previews = page.getByTestId('preview-lane');
  await expect(previews).toHaveCount(2);
  await expect(page.getByTestId('job')).toHaveCount(1);
  // the waveform changes while the job runs (a live preview, not only the result)
  const first = await lanePixels(page, '[data-testid="preview-lane"]');
  await expect.poll(() => lanePixels(page, '[data-testid="preview-lane"]'), { timeout: 60_000 }).not.toBe(first);
  await expect(page.getByTestId('live-badge').first()).toBeVisible();
  await page.screenshot({ path: resolve(SHOTS, 'split-live.png') });
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 100_000 });
  await expect(page.getByTestId('track')).toHaveCount(3);
  const names = await page.getByTestId('track-name').allTextContents();
  expect(names).toEqual(['vctk_p308_092_mulaw.wav', 'vctk_p308_092_mulaw – piano', 'vctk_p308_092_mulaw – voice']);
  // stems are sample-aligned with the original: same rate and length
  const durations = await page.getByTestId('track-duration').allTextContents();
  expect(new Set(durations).size).toBe(1);
  const rates = await page.getByTestId('track-rate').allTextContents();
  expect(new Set(rates).size).toBe(1);
  report('ui-longtasks-split', { maxLongTaskMs: await maxLongTaskMs(page) });
  await page.screenshot({ path: resolve(SHOTS, 'split-done.png') });

  // solo a stem
  await page.getByTestId('track').nth(1).getByTestId('solo').click();
  await expect(page.getByTestId('track').nth(1).getByTestId('solo')).toHaveAttribute('aria-pressed', 'true');

  // undo/redo restores exactly
  await page.keyboard.press('Control+z'); // solo
  await page.keyboard.press('Control+z'); // the split result
  await expect(page.getByTestId('track')).toHaveCount(1);
  await page.keyboard.press('Shift+Control+z');
  await expect(page.getByTestId('track')).toHaveCount(3);
  await expect(page.getByTestId('track-name')).toHaveText(names);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');

  // reopening the project restores it as it was
  await page.reload();
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('track')).toHaveCount(3);
  await expect(page.getByTestId('track-name')).toHaveText(names);
  expect(errors).toEqual([]);
});

test('two fills at once: the second waits its turn (never replaces the choice on offer); a deleted track drops its alternatives', async ({ page }) => {
  const errors = await open(page);
  const track = page.getByTestId('track').first();
  const box = (await track.getByTestId('zoomview').boundingBox())!;
  const select = async (a: number, b: number) => {
    await page.mouse.move(box.x + box.width * a, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * b, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect(track.getByTestId('selection-times')).toBeVisible();
  };
  await select(0.2, 0.25);
  await page.getByTestId('fill-selection').click();
  await select(0.6, 0.65);
  await page.getByTestId('fill-selection').click();
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 120_000 });
  const panel = page.getByTestId('alternatives');
  await expect(panel).toBeVisible();
  const first = (await panel.textContent())!;
  await expect(page.getByTestId('alternatives-waiting')).toHaveText('One more fill is waiting: offered when you have chosen here.');
  await page.screenshot({ path: resolve(SHOTS, 'fill-waiting.png') });
  await expect(page.getByTestId('notice-info').filter({ hasText: 'its alternatives are offered once you have chosen' })).toHaveCount(1);
  await page.getByTestId('discard-alternatives').click();
  await expect(panel).toBeVisible();
  await expect(panel).not.toHaveText(first); // the other region's fills
  await expect(page.getByTestId('alternatives-waiting')).toHaveCount(0);
  await track.getByTestId('delete-track').click();
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId('notice-info').filter({ hasText: 'were dropped: the track was deleted' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('fill a gap: select, refine live, audition alternatives, see the spread, accept; undo/redo exact', async ({ page }) => {
  const errors = await open(page);
  const track = page.getByTestId('track').first();
  const zoom = track.getByTestId('zoomview');
  const box = (await zoom.boundingBox())!;
  // drag across the waveform to select a region
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(track.getByTestId('selection-times')).toBeVisible();
  const before = await lanePixels(page, '[data-testid="track"]');
  await resetLongTasks(page);
  await page.getByTestId('fill-selection').click();
  await expect(page.getByTestId('job')).toHaveCount(1);
  await expect(track.getByTestId('live-badge')).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: resolve(SHOTS, 'fill-live.png') });
  await expect(page.getByTestId('alternatives')).toBeVisible({ timeout: 100_000 });
  await expect(page.getByTestId('alternative')).toHaveCount(3);
  // what the fill says about its alternatives fits in one notice, not one per alternative
  expect(await page.getByTestId('notice-error').filter({ hasText: 'Fill' }).count()).toBe(1);
  // and the job's notes are shown too (a 22.05 kHz clip is filled at the model's 16 kHz)
  await expect(page.getByTestId('notice-info').filter({ hasText: 'no content above 8000 Hz' })).toHaveCount(1);
  report('ui-longtasks-fill', { maxLongTaskMs: await maxLongTaskMs(page) });
  // the uncertainty band is drawn
  await expect
    .poll(() =>
      page.getByTestId('uncertainty-band').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
        return ink;
      }),
    )
    .toBeGreaterThan(0);
  // audition one in context: the playhead moves
  await page.getByTestId('audition').nth(1).click();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await page.screenshot({ path: resolve(SHOTS, 'fill-alternatives.png') });
  await page.getByTestId('accept').nth(1).click();
  await expect(page.getByTestId('alternatives')).toHaveCount(0);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await page.getByTestId('stop').click();
  await expect.poll(() => lanePixels(page, '[data-testid="track"]')).not.toBe(before);
  const after = await lanePixels(page, '[data-testid="track"]');
  await page.getByTestId('undo').click();
  await expect.poll(() => lanePixels(page, '[data-testid="track"]')).toBe(before);
  await page.getByTestId('redo').click();
  await expect.poll(() => lanePixels(page, '[data-testid="track"]')).toBe(after);
  // the editor computed the accepted track itself; reopened from what was stored, it looks the same
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await page.keyboard.press('Escape'); // no selection drawn, playhead at 0, as after a reload
  await page.getByTestId('stop').click();
  const settled = await lanePixels(page, '[data-testid="track"]');
  await page.reload();
  await expect(page.getByTestId('track')).toHaveCount(1);
  await expect.poll(() => lanePixels(page, '[data-testid="track"]')).toBe(settled);
  expect(errors).toEqual([]);
});

test('a stereo fill: the spread between its alternatives is drawn on each channel\'s own row', async ({ page }, info) => {
  // left: a tone the fills can disagree about; right: silence, drawn as the lower row
  const path = info.outputPath('stereo.wav');
  const sr = 16000;
  const left = new Float32Array(2 * sr).map((_, i) => 0.5 * Math.sin(i * 0.07) * Math.sin(i * 0.0011));
  writeFileSync(path, encodeWav({ sampleRate: sr, channels: [left, new Float32Array(2 * sr)] }, { format: 'float32', dither: false }));
  const errors = await open(page, path);
  const track = page.getByTestId('track').first();
  await expect(track.getByTestId('track-channels')).toHaveText('stereo');
  const box = (await track.getByTestId('zoomview').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.getByTestId('fill-selection').click();
  await expect(page.getByTestId('alternatives')).toBeVisible({ timeout: 100_000 });
  /** Ink in each of the band canvas's rows of pixels. */
  const inkByRow = () =>
    page.getByTestId('uncertainty-band').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return Array.from({ length: c.height }, (_, y) => {
        let ink = 0;
        for (let x = 0; x < c.width; x++) if (d[(y * c.width + x) * 4 + 3]! > 0) ink++;
        return ink;
      });
    });
  await expect.poll(async () => (await inkByRow()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  const rows = await inkByRow();
  const h = rows.length;
  const around = (y: number) => rows.slice(Math.round(y) - 2, Math.round(y) + 3).reduce((a, b) => a + b, 0);
  expect(around(h / 4), 'a band on the left channel\'s row').toBeGreaterThan(0);
  expect(around(h / 2), 'nothing on the line between the rows (one band for both used to sit there)').toBe(0);
  await page.screenshot({ path: resolve(SHOTS, 'fill-stereo-band.png') });
  expect(errors).toEqual([]);
});

test("the track menu opens over what lies below it: every control in it is the topmost thing at its own centre", async ({ page }, info) => {
  const low = info.outputPath('speech-8k.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', CLIP, '-t', '2', '-ar', '8000', '-ac', '1', low]);
  const errors = await open(page, low);
  await page.getByTestId('track-menu').click();
  const hidden = await page.locator('details[open] .panel').evaluate((panel) =>
    Array.from(panel.querySelectorAll('button, select')).flatMap((el) => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return top === el || el.contains(top) ? [] : [el.getAttribute('data-testid') ?? el.textContent];
    }),
  );
  expect(hidden).toEqual([]);
  expect(errors).toEqual([]);
});

test('upsample a low-rate clip: a new lane refines live and lands at the target rate; export writes the WAV asked for', async ({ page }, info) => {
  const low = info.outputPath('speech-8k.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', CLIP, '-t', '2', '-ar', '8000', '-ac', '1', low]);
  const errors = await open(page, low);
  await page.getByTestId('track-menu').click();
  await page.getByTestId('upsample-rate').selectOption('16000');
  // a resampled file (as this one is) was low-pass filtered: that is the default observation model
  await expect(page.getByTestId('upsample-input')).toHaveValue('lowpass');
  await page.getByTestId('upsample').click();
  await expect(page.getByTestId('preview-lane')).toHaveCount(1);
  const first = await lanePixels(page, '[data-testid="preview-lane"]');
  await expect.poll(() => lanePixels(page, '[data-testid="preview-lane"]'), { timeout: 60_000 }).not.toBe(first);
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 100_000 });
  const up = page.getByTestId('track').nth(1);
  await expect(up.getByTestId('track-rate')).toHaveText('16 kHz');
  await expect(page.getByText(/audio: .* from the band-limited \(sinc\) interpolation/)).toBeVisible();
  await up.getByTestId('spectrogram-toggle').click();
  await expect(up.getByTestId('spectrogram')).toHaveAttribute('data-ready', /\d+/);
  await page.screenshot({ path: resolve(SHOTS, 'upsample-done.png') });

  // export the upsampled track as 16-bit WAV at 22.05 kHz
  await up.getByTestId('track-menu').click();
  await up.getByTestId('export-format').selectOption('pcm16');
  await up.getByTestId('export-rate').selectOption('22050');
  await up.getByTestId('export').click();
  await expect(page.getByTestId('notice-info').filter({ hasText: 'Exported' })).toBeVisible();
  const dir = join(host.projectDir, 'exports');
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  const wav = readFileSync(join(dir, files[0]!));
  expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
  expect(wav.readUInt16LE(22)).toBe(1); // channels
  expect(wav.readUInt32LE(24)).toBe(22050); // rate
  expect(wav.readUInt16LE(34)).toBe(16); // bit depth
  const dataBytes = wav.readUInt32LE(40);
  expect(Math.abs(dataBytes / 2 - 2 * 22050)).toBeLessThanOrEqual(2); // 2 s

  // the paper's setting on request: every other sample kept, the cubic spline as the warm start and baseline
  await page.getByTestId('track').first().getByTestId('track-menu').click();
  await page.getByTestId('track').first().getByTestId('upsample-input').selectOption('decimated');
  await page.getByTestId('track').first().getByTestId('upsample').click();
  await expect(page.getByTestId('track')).toHaveCount(3, { timeout: 100_000 });
  await expect(page.getByText(/audio: .* from the cubic spline/)).toBeVisible();
  expect(errors).toEqual([]);
});

test('split a low-rate mixture and restore it: two stems refine live and land at 16 kHz', async ({ page }, info) => {
  const low = info.outputPath('mix-8k.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', CLIP, '-t', '1', '-ar', '8000', '-ac', '1', low]);
  const errors = await open(page, low);
  await page.getByTestId('track-menu').click();
  await page.getByTestId('split-restore').click();
  await expect(page.getByTestId('preview-lane')).toHaveCount(2);
  const first = await lanePixels(page, '[data-testid="preview-lane"]');
  await expect.poll(() => lanePixels(page, '[data-testid="preview-lane"]'), { timeout: 60_000 }).not.toBe(first);
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 100_000 });
  await expect(page.getByTestId('track')).toHaveCount(3);
  for (const i of [1, 2]) await expect(page.getByTestId('track').nth(i).getByTestId('track-rate')).toHaveText('16 kHz');
  await page.screenshot({ path: resolve(SHOTS, 'split-restore-done.png') });
  expect(errors).toEqual([]);
});

test('cancel stops a job within moments and leaves the project as it was', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('preset').selectOption('best');
  await page.getByTestId('track-menu').click();
  await page.getByTestId('split').click();
  await expect(page.getByTestId('job-status')).toContainText('level', { timeout: 60_000 });
  await page.getByTestId('cancel-job').click();
  await expect(page.getByTestId('job')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('notice-info').filter({ hasText: 'cancelled' })).toBeVisible();
  await expect(page.getByTestId('preview-lane')).toHaveCount(0);
  await expect(page.getByTestId('track')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a crash during a job loses no accepted work', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('track-menu').click();
  await page.getByTestId('split').click();
  // (wait for the stems themselves: right after the click the job's row may not be shown yet)
  await expect(page.getByTestId('track')).toHaveCount(3, { timeout: 100_000 });
  await expect(page.getByTestId('job')).toHaveCount(0);
  await page.getByTestId('track').nth(2).getByTestId('mute').click();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  // start another job, then kill the host (and its engine) in the middle of it
  await page.getByTestId('preset').selectOption('best');
  await page.getByTestId('track').first().getByTestId('track-menu').click();
  await page.getByTestId('track').first().getByTestId('split').click();
  await expect(page.getByTestId('job-status')).toContainText('level', { timeout: 60_000 });
  const dir = host.projectDir;
  await host.kill();
  host = await startBuiltWebHost({ projectDir: dir, env: { PNF_MODEL: TINY_MODEL } });
  await page.goto(host.url);
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('track')).toHaveCount(3);
  await expect(page.getByTestId('track').nth(2).getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
  expect(errors).toEqual([]);
});

test('a saved project whose audio cannot be read is opened track by track, then refused, and never overwritten', async ({ page }) => {
  const errors = await open(page);
  const doc = join(host.projectDir, 'project.json');
  const saved = readFileSync(doc, 'utf8');
  // damage the track's audio in the project folder (the project itself stays as it was)
  for (const f of readdirSync(join(host.projectDir, 'blobs'))) writeFileSync(join(host.projectDir, 'blobs', f), 'not audio at all');
  await page.reload();
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('notice-error').filter({ hasText: 'The saved project could not be opened (track "vctk_p308_092_mulaw.wav")' })).toBeVisible();
  await expect(page.getByTestId('notice-error').filter({ hasText: "the project's copy of its audio" })).toContainText('If you still have the original file, open it again.');
  await expect(page.getByTestId('notice-error').filter({ hasText: 'Saving is off in this window' })).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  await page.screenshot({ path: resolve(SHOTS, 'open-refused.png') });
  // what the user does next in this window never replaces the saved project
  await page.getByTestId('file-input').setInputFiles(CLIP);
  await expect(page.getByTestId('track')).toHaveCount(1);
  await page.waitForTimeout(1000); // longer than the autosave delay
  expect(readFileSync(doc, 'utf8')).toBe(saved);
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  expect(errors).toEqual([]);
});

test('a deleted track lets go of its audio (budget 0) and undo reads it back from the project, exactly', async ({ page }) => {
  const url = new URL(host.url);
  url.search = '?unneeded-mb=0';
  host = { ...host, url: url.toString() };
  const errors = await open(page);
  const held = () => page.evaluate(() => (window as unknown as { __pnfHeldBytes: () => number }).__pnfHeldBytes());
  const shown = await lanePixels(page, '[data-testid="track"]');
  const bytes = await held();
  expect(bytes).toBeGreaterThan(3 * 22050 * 4); // 3.3 s of floats
  await page.getByTestId('delete-track').click();
  await expect(page.getByTestId('track')).toHaveCount(0);
  expect(await held()).toBe(0);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('track')).toHaveCount(1);
  await expect.poll(() => lanePixels(page, '[data-testid="track"]')).toBe(shown);
  expect(await held()).toBe(bytes);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await page.getByTestId('stop').click();
  await page.getByTestId('redo').click();
  await expect(page.getByTestId('track')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a project folder deleted while the editor shows its audio: the next save writes it back, export and reopen work', async ({ page }) => {
  const errors = await open(page);
  const blobs = join(host.projectDir, 'blobs');
  const stored = readdirSync(blobs);
  expect(stored).toHaveLength(1);
  rmSync(host.projectDir, { recursive: true, force: true }); // cleaned up, moved, synced away...
  await page.getByTestId('mute').click(); // any change saves
  await expect(page.getByTestId('notice-info').filter({ hasText: 'written back from the editor' })).toBeVisible();
  await page.screenshot({ path: resolve(SHOTS, 'folder-lost-written-back.png') });
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(readdirSync(blobs)).toEqual([stored[0]!.replace(/\.[a-z0-9]+$/, '.wav')]);
  expect(readFileSync(join(host.projectDir, 'web-host.lock'), 'utf8')).toMatch(/^\d+$/); // and the host holds the folder again
  await page.getByTestId('track-menu').click();
  await page.getByTestId('export-format').selectOption('float32');
  await page.getByTestId('export').click();
  await expect(page.getByTestId('notice-info').filter({ hasText: 'Exported' })).toBeVisible();
  const wav = readFileSync(join(host.projectDir, 'exports', readdirSync(join(host.projectDir, 'exports'))[0]!));
  expect(wav.readUInt32LE(24)).toBe(22050);
  expect(Math.abs(wav.readUInt32LE(wav.indexOf('data', 36, 'latin1') + 4) / 4 - 3.3 * 22050)).toBeLessThan(0.1 * 22050);
  // and the project opens whole in a fresh page
  await page.reload();
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('track')).toHaveCount(1);
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('stop or pause pressed while the audio device wakes up wins: playback does not begin after it', async ({ page }) => {
  const errors = await open(page);
  // an audio device that takes 800 ms to wake (a Bluetooth headset, a busy machine)
  // (asleep again before each press: once woken, a real context stays running, and a press
  // that finds it running starts at once, so the pause after it would test nothing)
  await page.evaluate(() => {
    let woke = new WeakSet<BaseAudioContext>();
    (window as unknown as { sleepAudioDevice: () => void }).sleepAudioDevice = () => {
      woke = new WeakSet<BaseAudioContext>();
    };
    const state = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, 'state')!;
    Object.defineProperty(BaseAudioContext.prototype, 'state', {
      configurable: true,
      get(this: BaseAudioContext) {
        return woke.has(this) ? state.get!.call(this) : 'suspended';
      },
    });
    const resume = AudioContext.prototype.resume;
    AudioContext.prototype.resume = function (this: AudioContext) {
      return new Promise((r) => setTimeout(r, 800)).then(() => {
        woke.add(this);
        return resume.call(this);
      });
    };
  });
  const play = page.getByTestId('play');
  for (const press of ['stop', 'play'] as const) {
    await page.evaluate(() => (window as unknown as { sleepAudioDevice: () => void }).sleepAudioDevice());
    await play.click();
    await page.getByTestId(press).click(); // at once: the device is still waking
    await page.waitForTimeout(1500);
    await expect(play).toHaveText('Play');
    await expect(page.getByTestId('playhead-time')).toHaveText(/^0:00\.0/);
  }
  await play.click(); // and a plain press still plays, once the device is awake
  await expect(play).toHaveText('Pause');
  await expect(page.getByTestId('playhead-time')).not.toHaveText(/^0:00\.0/);
  await page.getByTestId('stop').click();
  expect(errors).toEqual([]);
});

test('an edit made just before the page goes (reload, close) is saved, not lost with its save delay', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('track').first().getByTestId('mute').click();
  await page.reload(); // at once: well inside the 250 ms save delay
  await expect(page.locator('[data-ready="true"]')).toBeVisible();
  await expect(page.getByTestId('track')).toHaveCount(1);
  await expect(page.getByTestId('track').first().getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
  expect(errors).toEqual([]);
});

test('a second tab opened right after an edit gets that edit: the first tab saves it before it hands the project over', async ({ page, browser }) => {
  const errors = await open(page);
  // the first tab's timers stand still from here, so its autosave (250 ms after an edit) cannot run by itself
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 60_000);
  await page.getByTestId('delete-track').click();
  await expect(page.getByTestId('track')).toHaveCount(0);
  await page.waitForTimeout(1000); // (more than the autosave's delay, in real time)
  await expect(page.getByTestId('save-state')).toHaveText('Saving…'); // not saved yet
  const elsewhere = await browser.newContext(); // (another window: the frozen clock is the first tab's alone)
  try {
    const second = await elsewhere.newPage();
    await second.goto(host.url);
    await expect(second.getByTestId('save-state')).toHaveText('Saved'); // the project is open there
    await expect(second.getByTestId('track')).toHaveCount(0); // with the first tab's last edit in it
    await expect(page.getByTestId('notice-error').filter({ hasText: 'opened in another tab or window' })).toHaveCount(1);
    await second.reload();
    await expect(second.getByTestId('save-state')).toHaveText('Saved');
    await expect(second.getByTestId('track')).toHaveCount(0);
  } finally {
    await elsewhere.close();
  }
  expect(errors).toEqual([]);
});

test('a second tab takes the project over: the first stops saving, says why, and cannot overwrite the second one\'s work', async ({ page }) => {
  const errors = await open(page);
  const second = await page.context().newPage();
  await second.goto(host.url);
  await expect(second.getByTestId('track')).toHaveCount(1); // the saved project, reopened there
  // the first tab is told, and stops saving
  await expect(page.getByTestId('notice-error').filter({ hasText: 'opened in another tab or window' })).toHaveCount(1);
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  await page.screenshot({ path: resolve(SHOTS, 'taken-over.png') });
  // an edit in the first tab stays there: deleting its track must not empty the saved project
  await page.getByTestId('delete-track').click();
  await expect(page.getByTestId('track')).toHaveCount(0);
  await page.waitForTimeout(1000); // (more than the autosave's delay)
  await second.reload();
  await expect(second.getByTestId('track')).toHaveCount(1);
  await expect(second.getByTestId('save-state')).toHaveText('Saved');
  // and the first tab does not take it back by reconnecting: a request there fails with the same words
  await page.getByTestId('file-input').setInputFiles(CLIP);
  await expect(page.getByTestId('notice-error').filter({ hasText: 'opened in another tab or window' })).toHaveCount(2);
  await second.getByTestId('preset').selectOption('standard'); // (the second tab still works)
  expect(await second.getByTestId('notice-error').count()).toBe(0);
  expect(errors).toEqual([]);
});
