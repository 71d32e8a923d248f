import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockProjectFolder, relockProjectFolder } from '../../../src-main/web/project-lock';

describe('one web host per project folder', () => {
  it('refuses a folder another live host holds, naming it and what to do; takes over a stale lock; gives it back', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pnf-lock-')), 'project');
    const release = lockProjectFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), String(other.pid));
      expect(() => lockProjectFolder(dir)).toThrow(new RegExp(`open in another PnF Studio web host \\(process ${other.pid}\\).*--project-dir`));
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(other.pid));
    } finally {
      other.kill();
    }
    // a lock left by a process that is gone (crashed, killed) is taken over
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();
    writeFileSync(join(dir, LOCK_FILE), gone);
    const again = lockProjectFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    writeFileSync(join(dir, LOCK_FILE), '777777'); // someone else's now: our release leaves it
    again();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('777777');
  });

  it('takes the lock again when it went with the folder, but never from another live host', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pnf-lock-')), 'project');
    const release = lockProjectFolder(dir);
    expect(relockProjectFolder(dir)).toBe(true); // (held: nothing to do)
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir); // the next save recreates the folder
    expect(relockProjectFolder(dir)).toBe(true);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), String(other.pid)); // a second host took the folder meanwhile
      expect(relockProjectFolder(dir)).toBe(false);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(other.pid));
    } finally {
      other.kill();
      release();
    }
  });
});
