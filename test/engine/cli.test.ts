import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { main, parseRegion, outputPaths, EXIT } from '../../src-main/cli';
import { encodeWav } from '../../src-main/io/wav-encode';
import { decodeAudioFile } from '../../src-main/io/decode';

const ROOT = resolve(__dirname, '../..');
const TINY = resolve(ROOT, 'test/fixtures/models/tiny.json');

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      (w as unknown as { text: string }).text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}
async function run(args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await main(args, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

describe('pnf CLI', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pnf-cli-'));
    input = join(dir, 'clip.wav');
    const n = 8000;
    const ch = [Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * 0.05)), Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(i * 0.07))];
    await writeFile(input, encodeWav({ sampleRate: 8000, channels: ch }, { format: 'pcm16' }));
  });

  it('round-trips a WAV file (upsample x2, stereo) with the tiny model, JSON lines', async () => {
    const r = await run(['upsample', input, '--factor', '2', '--model', TINY, '--preset', 'draft', '--steps', '2', '--json', '--format', 'float32']);
    expect(r.code, r.err).toBe(EXIT.ok);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.status === 'running')).toBe(true);
    const done = lines.at(-1);
    expect(done.status).toBe('done');
    const out = done.outputs.audio as string;
    expect(out).toBe(join(dir, 'clip.upsampled.wav'));
    const a = await decodeAudioFile(out);
    expect(a.sampleRate).toBe(16000);
    expect(a.channels.length).toBe(2);
    expect(a.channels[0]!.length).toBe(16000);
  });

  it('upsample takes the clip as low-passed unless told --decimated (the paper\'s setting); both at once is refused', async () => {
    const baseline = async (extra: string[]) => {
      const r = await run(['upsample', input, '--factor', '2', '--model', TINY, '--preset', 'draft', '--steps', '1', '--json', '--out', join(dir, `obs${extra.length}.wav`), ...extra]);
      expect(r.code, r.err).toBe(EXIT.ok);
      return JSON.parse(r.out.trim().split('\n').at(-1)!).result.reports[0].baseline as string;
    };
    expect(await baseline([])).toBe('band-limited (sinc) interpolation');
    expect(await baseline(['--decimated'])).toBe('cubic spline');
    expect((await run(['upsample', input, '--factor', '2', '--model', TINY, '--decimated', '--lowpass'])).err).toMatch(/--decimated or --lowpass, not both/);
    expect((await run(['separate', input, '--model', TINY, '--decimated'])).err).toMatch(/--decimated is for upsample only/);
  });

  it('separate + inpaint with alternatives write the expected files', async () => {
    const s = await run(['separate', input, '--model', TINY, '--preset', 'draft', '--steps', '1', '--levels', '2', '--out', join(dir, 'sep')]);
    expect(s.code, s.err).toBe(0);
    expect(existsSync(join(dir, 'sep.piano.wav')) && existsSync(join(dir, 'sep.voice.wav'))).toBe(true);
    const i = await run(['inpaint', input, '--region', '0.4-0.45', '--alternatives', '2', '--model', TINY, '--steps', '1', '--levels', '2', '--out', dir + '/']);
    expect(i.code, i.err).toBe(0);
    expect(existsSync(join(dir, 'clip.fill1.wav')) && existsSync(join(dir, 'clip.fill2.wav'))).toBe(true);
    expect(i.out).toMatch(/dB from the LPC extrapolation fill baseline/);
    // a low-rate (8 kHz) mixture separated and restored to 16 kHz in one pass
    const lr = await run(['separate', input, '--rate', '16000', '--model', TINY, '--steps', '1', '--levels', '2', '--out', join(dir, 'lr')]);
    expect(lr.code, lr.err).toBe(0);
    const stem = await decodeAudioFile(join(dir, 'lr.voice.wav'));
    expect(stem.sampleRate).toBe(16000);
    expect(stem.channels[0]!.length).toBe(16000);
    expect((await run(['separate', input, '--lowpass', '--model', TINY])).err).toMatch(/--lowpass needs --rate/);
  });

  it('never overwrites the input; refuses existing outputs without --force', async () => {
    const before = await readFile(input);
    const r = await run(['upsample', input, '--factor', '2', '--model', TINY, '--out', input, '--force']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/refusing to overwrite the input/);
    expect(Buffer.compare(before, await readFile(input))).toBe(0);
    const again = await run(['upsample', input, '--factor', '2', '--model', TINY]);
    expect(again.code).toBe(EXIT.usage);
    expect(again.err).toMatch(/exists; use --force/);
  });

  it('exit codes: usage 2, input 3, model/device 4', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['separate', input, '--bogus', '1'])).code).toBe(2);
    expect((await run(['inpaint', input, '--region', 'abc'])).code).toBe(2);
    expect((await run(['inpaint', input, '--region', '0.5-9', '--model', TINY])).code).toBe(2);
    expect((await run(['separate', join(dir, 'missing.wav'), '--model', TINY])).code).toBe(3);
    await writeFile(join(dir, 'junk.wav'), 'not audio at all');
    expect((await run(['separate', join(dir, 'junk.wav'), '--model', TINY])).code).toBe(3);
    expect((await run(['generate', '--seconds', '0.1', '--device', 'tpu'])).code).toBe(4);
    expect((await run(['generate', '--seconds', '0.1', '--model-dir', dir])).code).toBe(4);
    expect((await run(['generate', '--seconds', '0.1', '--model', join(dir, 'junk.wav')])).code).toBe(4);
  });

  it('bad options are usage errors with a message before any work: threads, repeated options, a missing output folder, a factor past 192 kHz', async () => {
    for (const args of [
      ['generate', '--seconds', '0.1', '--threads', '0'],
      ['generate', '--seconds', '0.1', '--threads', 'abc'],
      ['generate', '--seconds', '0.1', '--model', TINY, '--model', TINY],
    ]) {
      const r = await run([...args, '--json']);
      expect(r.code, args.join(' ')).toBe(EXIT.usage);
      expect(r.err, args.join(' ')).toMatch(/^pnf: --(threads|model) /);
      expect(JSON.parse(r.out.trim().split('\n').at(-1)!), args.join(' ')).toMatchObject({ status: 'failed', exit: EXIT.usage });
    }
    const noFolder = await run(['upsample', input, '--factor', '2', '--model', TINY, '--out', join(dir, 'no-such-folder', 'x.wav'), '--json']);
    expect(noFolder.code).toBe(EXIT.usage);
    expect(noFolder.err).toContain(`the folder ${join(dir, 'no-such-folder')} does not exist`);
    expect(noFolder.out).not.toContain('"running"'); // refused before the job, not after it
    const tooHigh = await run(['upsample', input, '--factor', '64', '--model', TINY, '--out', join(dir, 'x64.wav'), '--json']);
    expect(tooHigh.code).toBe(EXIT.usage);
    expect(tooHigh.err).toContain('Upsampling 8000 Hz by 64 would give 512000 Hz');
    expect(tooHigh.err).toContain('Choose a factor of at most 24.');
    expect(tooHigh.out).not.toContain('"running"');
    const backwards = await run(['inpaint', input, '--region', '0.3-0.2', '--model', TINY, '--out', join(dir, 'backwards.wav')]);
    expect(backwards.code).toBe(EXIT.usage);
    expect(backwards.err).toContain('its end must come after its start');
  });

  it('helpers', () => {
    expect(parseRegion('1.25-1.5')).toEqual({ start: 1.25, end: 1.5 });
    expect(outputPaths('/a/b/song.flac', undefined, ['piano', 'voice'], 'x').get('piano')).toBe('/a/b/song.piano.wav');
    expect(outputPaths(null, '/o/gen.wav', ['generated'], 'generated').get('generated')).toBe('/o/gen.wav');
  });

  it('the npm bin shim runs (pnf info --json)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'src-main/pnf.mjs'), 'info', '--json', '--model-dir', resolve(ROOT, 'test/fixtures/models')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.devices).toContain('cpu');
    expect(info.models[0].name).toBe('tiny');
  });
});
