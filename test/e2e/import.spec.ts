// The skeleton end to end, in Chromium through the web host: import by the file input and
// by a drop, waveform pixels, playback moving the playhead, a corrupt file's error text.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVAL, REPO, startBuiltWebHost, type RunningHost } from './web-host';
import { encodeWav } from '../../src-main/io/wav-encode';

const SHOTS = resolve(REPO, 'test-results/screenshots');
mkdirSync(SHOTS, { recursive: true });

let host: RunningHost;
// a fresh host (and so a fresh project folder) per test
test.beforeEach(async () => {
  host = await startBuiltWebHost();
});
test.afterEach(async () => {
  await host?.stop();
});

async function open(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await expect(page.getByTestId('empty')).toBeVisible();
  return errors;
}

/** Non-transparent pixels in a lane's zoom view canvases. */
async function waveformInk(page: Page, index: number): Promise<number> {
  return page.getByTestId('zoomview').nth(index).evaluate((el) => {
    let ink = 0;
    for (const c of Array.from(el.querySelectorAll('canvas'))) {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) ink++;
    }
    return ink;
  });
}

/** Drag across a lane's zoom view from fraction a to fraction b of its width. */
async function dragAcross(page: Page, lane: Locator, a: number, b: number) {
  const box = (await lane.getByTestId('zoomview').boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * b, y, { steps: 6 });
  await page.mouse.up();
}

/** A lane's selection in seconds, from what it shows ("selection 0:00.900 – 0:01.800"). */
async function selectedIn(lane: Locator): Promise<{ start: number; end: number }> {
  const text = (await lane.getByTestId('selection-times').textContent())!;
  const [a, b] = text.replace('selection ', '').split(' – ').map((t) => {
    const [m, sec] = t.split(':');
    return Number(m) * 60 + Number(sec);
  });
  return { start: a!, end: b! };
}

test('open by the file input: track row, waveform pixels, playback moves the playhead', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles(resolve(EVAL, 'piano/supra_sample.wav'));
  const track = page.getByTestId('track');
  await expect(track).toHaveCount(1);
  await expect(track.getByTestId('track-name')).toHaveText('supra_sample.wav');
  // 3.0 s at 22.05 kHz, mono (see ../shared/eval/README.md; ffprobe agrees in the unit tests)
  await expect(track.getByTestId('track-duration')).toHaveText(/^0:0(2\.99\d|3\.0\d\d)$/);
  await expect(track.getByTestId('track-rate')).toHaveText('22.05 kHz');
  await expect(track.getByTestId('track-channels')).toHaveText('mono');
  await expect.poll(() => waveformInk(page, 0), { message: 'waveform canvas has ink' }).toBeGreaterThan(500);

  await expect(page.getByTestId('playhead-time')).toHaveText(/^0:00\.000 \//);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await expect
    .poll(async () => (await page.getByTestId('playhead-time').textContent())?.split(' / ')[0], { message: 'playhead moves' })
    .not.toBe('0:00.000');
  await page.screenshot({ path: resolve(SHOTS, 'import-playing.png') });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Play');
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('playhead-time')).toHaveText(/^0:00\.000 \//);

  // zoom is shared and bounded
  const before = await page.getByTestId('zoom-seconds').textContent();
  await page.getByTestId('zoom-in').click();
  await expect(page.getByTestId('zoom-seconds')).not.toHaveText(before!);
  expect(errors).toEqual([]);
});

test('open by a synthetic drop: several files become several tracks', async ({ page }) => {
  const errors = await open(page);
  const files = [
    { name: 'vctk_p225_003.wav', path: resolve(EVAL, 'voice/vctk_p225_003.wav'), type: 'audio/wav' },
    { name: 'ishizaka_wtc1_fugue7.flac', path: resolve(EVAL, 'piano/ishizaka_wtc1_fugue7.flac'), type: 'audio/flac' },
  ].map((f) => ({ name: f.name, type: f.type, b64: readFileSync(f.path).toString('base64') }));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  const tracks = page.getByTestId('track');
  await expect(tracks).toHaveCount(2);
  await expect(tracks.nth(0).getByTestId('track-rate')).toHaveText('16 kHz');
  await expect(tracks.nth(0).getByTestId('track-duration')).toHaveText(/^0:0[56]\.\d{3}$/);
  await expect(tracks.nth(1).getByTestId('track-channels')).toHaveText('stereo');
  await expect(tracks.nth(1).getByTestId('track-rate')).toHaveText('44.1 kHz');
  await expect(tracks.nth(1).getByTestId('track-duration')).toHaveText(/^0:(19\.9\d\d|20\.0\d\d)$/);
  await expect.poll(() => waveformInk(page, 1)).toBeGreaterThan(500);
  // one shared transport: the total is the longest track
  await expect(page.getByTestId('playhead-time')).toHaveText(/\/ 0:(19\.9\d\d|20\.0\d\d)$/);
  // the project overview shows every lane; clicking it moves the playhead there
  const ov = page.getByTestId('project-overview');
  const box = (await ov.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
  await expect(page.getByTestId('playhead-time')).toHaveText(/^0:1[45]\.\d{3} \//);
  await page.screenshot({ path: resolve(SHOTS, 'import-two-tracks.png') });
  expect(errors).toEqual([]);
});

test('while playing, mute, solo, gain and delete are heard at once; deleting the longest track stops at the end', async ({ page }) => {
  // record what the page does with the Web Audio graph (headless Chromium plays into nowhere)
  await page.addInitScript(() => {
    const w = window as unknown as { __gainTargets: number[]; __sourcesStarted: number };
    w.__gainTargets = [];
    w.__sourcesStarted = 0;
    const setTarget = AudioParam.prototype.setTargetAtTime;
    AudioParam.prototype.setTargetAtTime = function (v: number, t: number, c: number) {
      w.__gainTargets.push(v);
      return setTarget.call(this, v, t, c);
    };
    const start = AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.start = function (...a: Parameters<AudioBufferSourceNode['start']>) {
      w.__sourcesStarted++;
      return start.apply(this, a);
    };
  });
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles([resolve(EVAL, 'piano/ishizaka_wtc1_fugue7.flac'), resolve(EVAL, 'voice/vctk_p225_003.wav')]);
  const tracks = page.getByTestId('track');
  await expect(tracks).toHaveCount(2);
  const probe = () => page.evaluate(() => {
    const w = window as unknown as { __gainTargets: number[]; __sourcesStarted: number };
    return { targets: [...w.__gainTargets], started: w.__sourcesStarted };
  });
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await expect.poll(async () => (await probe()).started).toBe(2);
  await tracks.nth(1).getByTestId('mute').click();
  await expect.poll(async () => (await probe()).targets.at(-1), { message: 'the muted track goes silent while playing' }).toBe(0);
  await tracks.nth(1).getByTestId('mute').click();
  await expect.poll(async () => (await probe()).targets.filter((v) => v === 1).length).toBeGreaterThan(0);
  await tracks.nth(1).getByTestId('solo').click(); // the other track goes silent
  await expect.poll(async () => (await probe()).targets.slice(-2).sort()).toEqual([0, 1]);
  await tracks.nth(1).getByTestId('gain').fill('-6');
  await expect.poll(async () => (await probe()).targets.at(-1)).toBeCloseTo(Math.pow(10, -6 / 20), 4);
  expect((await probe()).started, 'gains change in place: playback is not restarted').toBe(2);
  await expect(page.getByTestId('play')).toHaveText('Pause');
  // past the end of the shorter track, delete the longer one: playback stops at the new end (it used to start over at 0)
  const box = (await page.getByTestId('project-overview').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await tracks.nth(0).getByTestId('delete-track').click();
  await expect(tracks).toHaveCount(1);
  await expect(page.getByTestId('play')).toHaveText('Play');
  await expect(page.getByTestId('playhead-time')).toHaveText(/^0:0[56]\.\d{3} \/ 0:0[56]\.\d{3}$/);
  expect(errors).toEqual([]);
});

test('a 6-channel file gets a waveform (one row, all channels) and a selection, like any other', async ({ page }, info) => {
  const errors = await open(page);
  const path = info.outputPath('surround.wav');
  const sr = 48000;
  writeFileSync(path, encodeWav({ sampleRate: sr, channels: Array.from({ length: 6 }, (_, c) => new Float32Array(sr).map((_, i) => 0.3 * Math.sin(i * 0.01 * (c + 1)))) }, { format: 'pcm16', dither: false }));
  await page.getByTestId('file-input').setInputFiles(path);
  const track = page.getByTestId('track');
  await expect(track).toHaveCount(1);
  await expect(track.getByTestId('track-channels')).toHaveText('6 ch');
  await expect.poll(() => waveformInk(page, 0), { message: 'waveform canvas has ink' }).toBeGreaterThan(500);
  await dragAcross(page, track, 0.3, 0.4);
  await expect(track.getByTestId('selection-times')).toBeVisible();
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a short track's spectrogram in a longer project's view covers only the track, in line with its waveform", async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles([resolve(EVAL, 'piano/ishizaka_wtc1_fugue7.flac'), resolve(EVAL, 'voice/vctk_p225_003.wav')]);
  const tracks = page.getByTestId('track');
  await expect(tracks).toHaveCount(2);
  await page.keyboard.press('-'); // the whole 20 s project in view; the voice track is 5.8 s of it
  await expect(page.getByTestId('zoom-seconds')).toHaveText(/^(19\.9\d|20\.0\d) s$/);
  const short = tracks.nth(1);
  await short.getByTestId('spectrogram-toggle').click();
  const spec = short.getByTestId('spectrogram');
  await expect(spec).toHaveAttribute('data-ready', /\d+/);
  const alphaAt = (fraction: number) =>
    spec.evaluate((c: HTMLCanvasElement, f) => {
      const x = Math.floor(c.width * f);
      const d = c.getContext('2d')!.getImageData(x, 0, 1, c.height).data;
      let a = 0;
      for (let i = 3; i < d.length; i += 4) a = Math.max(a, d[i]!);
      return a;
    }, fraction);
  expect(await alphaAt(0.1)).toBeGreaterThan(0);
  expect(await alphaAt(0.8), 'nothing drawn past the end of the track').toBe(0);
  expect(errors).toEqual([]);
});

test('keys after the gain slider still work (Ctrl+Z undoes the gain); Esc cancels a rename, Enter keeps it', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles(resolve(EVAL, 'voice/vctk_p225_003.wav'));
  const track = page.getByTestId('track');
  await expect(track).toHaveCount(1);
  const gain = track.getByTestId('gain');
  await gain.fill('-6');
  await expect(gain).toBeFocused();
  await page.keyboard.press('Control+z'); // (a focused slider used to swallow every shortcut)
  await expect(gain).toHaveValue('0');
  const name = track.getByTestId('track-name');
  await name.dblclick();
  await track.getByTestId('rename-input').fill('not this');
  await page.keyboard.press('Escape');
  await expect(name).toHaveText('vctk_p225_003.wav');
  await name.dblclick();
  await track.getByTestId('rename-input').fill('take one');
  await page.keyboard.press('Enter');
  await expect(name).toHaveText('take one');
  await page.keyboard.press('Control+z');
  await expect(name).toHaveText('vctk_p225_003.wav'); // one undo step for one rename
  expect(errors).toEqual([]);
});

test('a corrupt file shows an error naming it, and the app keeps working', async ({ page }, info) => {
  const errors = await open(page);
  const bad = info.outputPath('broken take.wav');
  const riff = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'); // header cut short
  writeFileSync(bad, riff);
  await page.getByTestId('file-input').setInputFiles(bad);
  const err = page.getByTestId('notice-error');
  await expect(err).toBeVisible();
  await expect(err).toContainText('broken take.wav');
  await expect(page.getByTestId('track')).toHaveCount(0);
  await expect(page.getByTestId('task'), 'a failed open ends its progress row').toHaveCount(0);
  await page.screenshot({ path: resolve(SHOTS, 'import-error.png') });
  // still works afterwards
  await page.getByTestId('file-input').setInputFiles(resolve(EVAL, 'voice/vctk_p308_092_mulaw.wav'));
  await expect(page.getByTestId('track')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('a full project (64 tracks) refuses one more with a message, keeps saving, and takes it once a track is deleted', async ({ page }, info) => {
  // a saved project of 64 tracks, all showing one short clip
  await host.stop();
  const dir = info.outputPath('project');
  mkdirSync(resolve(dir, 'blobs'), { recursive: true });
  const blob = 'aaaaaaaa-0000-4000-8000-000000000000';
  const sr = 8000;
  writeFileSync(resolve(dir, 'blobs', `${blob}.wav`), encodeWav({ sampleRate: sr, channels: [new Float32Array(sr / 4).map((_, i) => 0.3 * Math.sin(i / 5))] }, { format: 'pcm16', dither: false }));
  const tracks = Array.from({ length: 64 }, (_, i) => ({
    id: `t${i}`, name: `take ${i}`, colour: '#4cc9f0', gainDb: 0, muted: false, solo: false, blob,
    sampleRate: sr, channelCount: 1, frames: sr / 4, origin: { kind: 'import', file: 'take.wav' },
  }));
  writeFileSync(resolve(dir, 'project.json'), JSON.stringify({ version: 1, tracks }));
  host = await startBuiltWebHost({ projectDir: dir });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await expect(page.getByTestId('track')).toHaveCount(64, { timeout: 60_000 });
  const clip = resolve(EVAL, 'voice/vctk_p308_092_mulaw.wav');
  await page.getByTestId('file-input').setInputFiles(clip);
  await expect(page.getByTestId('notice-error').filter({ hasText: '"vctk_p308_092_mulaw.wav" was not opened. A project holds at most 64 tracks' })).toBeVisible();
  await expect(page.getByTestId('track')).toHaveCount(64);
  // the project still saves (a 65th track used to make every later save fail)
  await page.getByTestId('track').first().getByTestId('mute').click();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(JSON.parse(readFileSync(resolve(dir, 'project.json'), 'utf8')).tracks[0].muted).toBe(true);
  await page.getByTestId('track').last().getByTestId('delete-track').click();
  await expect(page.getByTestId('track')).toHaveCount(63);
  await page.getByTestId('file-input').setInputFiles(clip);
  await expect(page.getByTestId('track')).toHaveCount(64);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(JSON.parse(readFileSync(resolve(dir, 'project.json'), 'utf8')).tracks.at(-1).name).toBe('vctk_p308_092_mulaw.wav');
  expect(errors).toEqual([]);
});

/** A 16-bit stereo WAV of `seconds` of a quiet chord (large enough to take a moment to open). */
function writeStereoWav(path: string, seconds: number, sampleRate = 44100): number {
  const left = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < left.length; i++) {
    const t = i / sampleRate;
    left[i] = 0.18 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.2 * t));
  }
  const bytes = encodeWav({ sampleRate, channels: [left, left.map((v) => 0.5 * v)] }, { format: 'pcm16', dither: false });
  writeFileSync(path, bytes);
  return bytes.byteLength;
}

test('opening a large file shows a progress row with its name and size until the track is in', async ({ page }, info) => {
  const errors = await open(page);
  const wav = info.outputPath('long take.wav');
  const bytes = writeStereoWav(wav, 240); // 4 min stereo 44.1 kHz: 42 MB
  expect(bytes).toBeGreaterThan(42e6);
  await page.getByTestId('file-input').setInputFiles(wav);
  const task = page.getByTestId('task');
  await expect(task).toBeVisible();
  await expect(task).toContainText(/Opening "long take\.wav" \(42(\.\d)? MB\): /);
  await expect(task.locator('progress')).toHaveAttribute('value', /^(0|0\.\d+|1)$/);
  await expect(page.getByTestId('track')).toHaveCount(1, { timeout: 60_000 });
  await expect(task, 'the row ends when the track is in').toHaveCount(0);
  await expect(page.getByTestId('track').getByTestId('track-duration')).toHaveText('4:00.000');
  expect(errors).toEqual([]);
});

test('the web host refuses sockets without the token or from another origin', async ({ page }) => {
  await page.goto(host.origin + '/');
  const results = await page.evaluate(async (token) => {
    const tryWs = (url: string) =>
      new Promise<string>((ok) => {
        const ws = new WebSocket(url);
        ws.onopen = () => {
          ws.close();
          ok('open');
        };
        ws.onerror = () => ok('refused');
      });
    return {
      noToken: await tryWs(`ws://${location.host}/ws`),
      badToken: await tryWs(`ws://${location.host}/ws?token=nope`),
      good: await tryWs(`ws://${location.host}/ws?token=${token}`),
    };
  }, host.token);
  expect(results).toEqual({ noToken: 'refused', badToken: 'refused', good: 'open' });
  // another origin (a page served elsewhere) is refused even with the right token
  const other = await page.context().newPage();
  await other.goto('about:blank');
  const cross = await other.evaluate(
    ([origin, token]) =>
      new Promise<string>((ok) => {
        const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws?token=${token}`);
        ws.onopen = () => ok('open');
        ws.onerror = () => ok('refused');
      }),
    [host.origin, host.token] as const,
  );
  expect(cross).toBe('refused');
});

test('select by dragging either way; drag an edge to move it; a click clears the selection', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles(resolve(EVAL, 'piano/supra_sample.wav'));
  const track = page.getByTestId('track');
  await expect(track).toHaveCount(1);
  await expect.poll(() => waveformInk(page, 0)).toBeGreaterThan(500);
  const visible = Number((await page.getByTestId('zoom-seconds').textContent())!.replace(' s', ''));
  const shown = Math.min(visible, 3.0); // the view starts at 0; the clip is 3.0 s
  const box = (await track.getByTestId('zoomview').boundingBox())!;
  const y = box.y + box.height / 2;
  const drag = (a: number, b: number) => dragAcross(page, track, a, b);
  const selected = () => selectedIn(track);
  const tol = (2 / box.width) * visible + 0.002; // two pixels

  // right to left: peaks.js's own insert drag selected nothing this way
  await drag(0.6, 0.3);
  await expect(track.getByTestId('selection-times')).toBeVisible();
  let s = await selected();
  expect(Math.abs(s.start - 0.3 * visible)).toBeLessThan(tol);
  expect(Math.abs(s.end - 0.6 * visible)).toBeLessThan(tol);
  expect(s.end).toBeLessThanOrEqual(shown);

  // the end edge dragged right: the start stays
  await drag(0.6, 0.8);
  s = await selected();
  expect(Math.abs(s.start - 0.3 * visible)).toBeLessThan(tol);
  expect(Math.abs(s.end - Math.min(shown, 0.8 * visible))).toBeLessThan(tol);
  // the start edge dragged left, past nothing: the end stays
  await drag(0.3, 0.1);
  const t = await selected();
  expect(Math.abs(t.start - 0.1 * visible)).toBeLessThan(tol);
  expect(t.end).toBeCloseTo(s.end, 3);
  // an edge dragged across the other one: the region flips, it does not vanish
  await drag(0.1, Math.min(0.95, (s.end / visible) + 0.1));
  const u = await selected();
  expect(Math.abs(u.start - s.end)).toBeLessThan(tol);
  expect(u.end).toBeGreaterThan(u.start);
  await page.screenshot({ path: resolve(SHOTS, 'selection-drag.png') });

  // a click (no drag) clears it
  await page.mouse.click(box.x + box.width * 0.05, y);
  await expect(track.getByTestId('selection-times')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a zoom keeps every lane and the overview on one view: the playhead stays put on screen, a zoom out stays inside the project', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles([resolve(EVAL, 'piano/ishizaka_wtc1_fugue7.flac'), resolve(EVAL, 'voice/vctk_p225_003.wav')]);
  const tracks = page.getByTestId('track');
  await expect(tracks).toHaveCount(2);
  await expect(page.getByTestId('zoom-seconds')).toHaveText('10.00 s');
  const overview = page.getByTestId('project-overview');
  const ob = (await overview.boundingBox())!;
  const duration = 20.0; // the fugue excerpt is 20 s (../shared/eval/README.md)
  /** The overview box's start in seconds, and each lane's view start. */
  const views = async () => {
    const left = await page.getByTestId('overview-window').evaluate((el) => parseFloat((el as HTMLElement).style.left));
    const lanes = await page.getByTestId('zoomview').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-view-start'))));
    return { box: (left / 100) * duration, lanes };
  };
  const agree = async (start: number) => {
    await expect.poll(async () => (await views()).lanes.every((s) => Math.abs(s - start) < 0.05)).toBe(true);
    expect(Math.abs((await views()).box - start)).toBeLessThan(0.05);
  };
  // the second half in view, the playhead at 18 s
  await page.mouse.click(ob.x + ob.width * 0.9, ob.y + ob.height / 2);
  await agree(10);
  // zoom out to the whole project: it starts at 0 (the box used to stay at 10 s, half off the overview)
  await page.getByTestId('zoom-out').click();
  await expect(page.getByTestId('zoom-seconds')).toHaveText(/^(19\.9\d|20\.0\d) s$/);
  await agree(0);
  // zoom in: the playhead (18 s, 90 % across) stays 90 % across
  await page.getByTestId('zoom-in').click();
  const seconds = Number((await page.getByTestId('zoom-seconds').textContent())!.replace(' s', ''));
  const start = 18 - 0.9 * seconds;
  await agree(start);
  await page.screenshot({ path: resolve(SHOTS, 'zoom-shared-view.png') });
  expect(errors).toEqual([]);
});

test('drag selection after the window is resized lands where the pointer is; a drag takes the keyboard from the slider; a click on an edge changes nothing', async ({ page }) => {
  const errors = await open(page);
  await page.getByTestId('file-input').setInputFiles(resolve(EVAL, 'piano/supra_sample.wav'));
  const track = page.getByTestId('track');
  await expect(track).toHaveCount(1);
  await expect.poll(() => waveformInk(page, 0)).toBeGreaterThan(500);
  await page.setViewportSize({ width: 900, height: 720 });
  await page.waitForTimeout(300); // the lanes relayout
  const visible = Number((await page.getByTestId('zoom-seconds').textContent())!.replace(' s', ''));
  const box = (await track.getByTestId('zoomview').boundingBox())!;
  // the waveform is drawn across the lane's new width (it kept the width it started with, so what was under the
  // pointer was not what got selected)
  await expect.poll(() => track.getByTestId('zoomview').evaluate((el) => Math.max(...Array.from(el.querySelectorAll('canvas')).map((c) => c.getBoundingClientRect().width)))).toBeCloseTo(box.width, 0);
  const y = box.y + box.height / 2;
  const selected = () => selectedIn(track);
  const tol = (2 / box.width) * visible + 0.002;
  // the gain slider has the keyboard
  await track.getByTestId('gain').focus();
  await dragAcross(page, track, 0.2, 0.5);
  const s = await selected();
  expect(Math.abs(s.start - 0.2 * visible), 'the press maps to the resized lane').toBeLessThan(tol);
  expect(Math.abs(s.end - 0.5 * visible)).toBeLessThan(tol);
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type ?? '')).not.toBe('range');
  // so an arrow key nudges the selection, not the gain
  await page.keyboard.press('ArrowRight');
  const t = await selected();
  expect(t.start - s.start).toBeCloseTo(0.01, 3);
  await expect(track.getByTestId('gain')).toHaveValue('0');
  // a click (no drag) on the selection's edge leaves it as it is
  await page.mouse.click(box.x + box.width * (t.end / visible), y);
  expect(await selected()).toEqual(t);
  expect(errors).toEqual([]);
});
