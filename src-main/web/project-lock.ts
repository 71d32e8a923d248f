// One web host per project folder: a second `npm run web` on the same folder would save over the
// first one's work. The lock is a file in the folder holding the host's process id; a lock whose
// process is gone (a crash, a kill) is stale and taken over.
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'web-host.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but not ours to signal
  }
}

/**
 * Takes the project folder for this process, or throws an Error whose message says which process
 * has it and what to do. Returns the function that gives it back (safe to call more than once).
 */
export function lockProjectFolder(dir: string, pid = process.pid): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== pid && alive(holder)) {
        throw new Error(
          `The project folder ${dir} is open in another PnF Studio web host (process ${holder}). Stop that one first, or start this one with --project-dir=ANOTHER_FOLDER.`,
        );
      }
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock the project folder ${dir}: another process keeps creating ${LOCK_FILE}.`);
}

/**
 * Takes the lock again if it went with the folder (deleted, moved or cleaned up while the host
 * ran: the next save recreates the folder, and without its lock a second host could open it).
 * True when this process holds the lock afterwards; false when another live host has it now.
 */
export function relockProjectFolder(dir: string, pid = process.pid): boolean {
  const path = join(dir, LOCK_FILE);
  try {
    return readFileSync(path, 'utf8').trim() === String(pid);
  } catch {
    // gone: take it again below
  }
  try {
    lockProjectFolder(dir, pid);
    return true;
  } catch {
    return false;
  }
}
