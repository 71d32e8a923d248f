import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockProjectFolder } from '../../../src-main/web/project-lock';

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
});
