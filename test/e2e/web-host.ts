// Starts the built web host (out/main/web.js) on a free port and returns its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EVAL = resolve(REPO, '../shared/eval');

export interface RunningHost {
  url: string;
  origin: string;
  token: string;
  output: string[];
  /** The project folder this host autosaves into (fresh per host unless given). */
  projectDir: string;
  stop(): Promise<void>;
  /** SIGKILL: the host dies without any chance to save (a crash). */
  kill(): Promise<void>;
}

export const TINY_MODEL = resolve(REPO, 'test/fixtures/models/tiny.json');

export async function startBuiltWebHost(opts: { projectDir?: string; env?: Record<string, string> } = {}): Promise<RunningHost> {
  const entry = resolve(REPO, 'out/main/web.js');
  if (!existsSync(entry)) throw new Error('out/main/web.js is missing: run `npm run build` first (npm test does).');
  const projectDir = opts.projectDir ?? mkdtempSync(join(tmpdir(), 'pnf-e2e-project-'));
  const child: ChildProcess = spawn(process.execPath, [entry, `--project-dir=${projectDir}`], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
    // the host exits when our end of its stdin closes (also when this process dies)
    env: { ...process.env, PNF_EXIT_WITH_STDIN: '1', ...opts.env },
  });
  const output: string[] = [];
  const url = await new Promise<string>((ok, bad) => {
    const timer = setTimeout(() => bad(new Error(`web host did not start:\n${output.join('')}`)), 30_000);
    const onData = (b: Buffer) => {
      output.push(b.toString());
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    child.on('exit', (code) => bad(new Error(`web host exited with ${code}:\n${output.join('')}`)));
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: /token=([\w-]+)/.exec(u.hash)![1]!,
    output,
    projectDir,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
    kill: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGKILL');
      }),
  };
}
