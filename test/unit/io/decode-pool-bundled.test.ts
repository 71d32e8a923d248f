// The bundled layout: electron-vite puts the main code in out/main/<entry>.js and the worker
// in out/main/decode-worker.js. Reproduce that layout with esbuild (vite's own bundler,
// installed with vite) in a temp folder and check that decodeOffThread finds and uses the
// built worker ("file" mode), not tsx and not the inline fallback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVAL_DIR, REPO_ROOT, requireEvalDir } from './helpers';

describe('decode worker, bundled layout', () => {
  it('out/main/index.js + out/main/decode-worker.js decode off-thread in "file" mode', async () => {
    requireEvalDir();
    const esbuild = await import('esbuild').catch(() => {
      throw new Error('esbuild (installed with vite) is needed to build the bundled layout for this test; run npm install.');
    });
    const dir = mkdtempSync(join(tmpdir(), 'pnf-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(
        entry,
        `import { decodeOffThread, decodeLaunchMode } from ${JSON.stringify(join(REPO_ROOT, 'src-main/io/decode-pool.ts'))};
         const r = await decodeOffThread({ kind: 'path', path: process.argv[2] });
         let err = null;
         try { await decodeOffThread({ kind: 'bytes', name: 'junk.wav', bytes: new Uint8Array([9, 9, 9]) }); } catch (e) { err = { name: e.name, code: e.code, message: e.message }; }
         console.log(JSON.stringify({ mode: decodeLaunchMode(), format: r.format, rate: r.sampleRate, ch: r.channels.length, n: r.channels[0].length, err }));`,
      );
      const common = { bundle: true, platform: 'node' as const, format: 'esm' as const, logLevel: 'error' as const, absWorkingDir: REPO_ROOT };
      await esbuild.build({ ...common, entryPoints: [entry], outfile: join(dir, 'out/main/index.js') });
      await esbuild.build({ ...common, entryPoints: [join(REPO_ROOT, 'src-main/io/decode-worker.ts')], outfile: join(dir, 'out/main/decode-worker.js') });
      const out = execFileSync(process.execPath, [join(dir, 'out/main/index.js'), join(EVAL_DIR, 'voice/librispeech_1688-142285-0000.flac')], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
      expect(r).toMatchObject({ mode: 'file', format: 'flac', rate: 16000, ch: 1, n: 240000 });
      expect(r.err).toMatchObject({ name: 'CodedError', code: 'UNSUPPORTED_FORMAT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
