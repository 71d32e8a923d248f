// Atomic file replacement: write a temp file in the SAME directory (so rename is atomic on
// one file system), fsync it, rename it over the target, then fsync the directory (best
// effort; not possible on Windows). On any failure the temp file is removed and the target
// is left exactly as it was.

import { constants, copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CodedError } from '../../src-shared/ipc/result';
import { errno } from './errno';

/** Test hook: called between writing+fsync and the rename (throw to simulate a failure). */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

function toCoded(e: unknown, target: string): CodedError {
  if (e instanceof CodedError) return e;
  const name = basename(target);
  const dir = dirname(target);
  switch (errno(e)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new CodedError('DISK_FULL', `Could not save "${name}": the disk is full. Free some space (or choose another drive) and save again. The previous file, if any, was not changed.`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CodedError('UNREADABLE', `Could not save "${name}": PnF Studio is not allowed to write in ${dir}. Choose another folder. The previous file, if any, was not changed.`);
    case 'ENOENT':
    case 'ENOTDIR':
      return new CodedError('NOT_FOUND', `Could not save "${name}": the folder ${dir} does not exist. Choose another folder.`);
    case 'EISDIR':
      return new CodedError('UNREADABLE', `Could not save "${name}": a folder with that name already exists. Choose another name.`);
    default: {
      const msg = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      return new CodedError('UNREADABLE', `Could not save "${name}" (${msg}). The previous file, if any, was not changed. Check the drive and try again.`);
    }
  }
}

/** This machine, in temporary file names: 8 hex digits of its host name's hash. */
export const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** The temporary file a write to `path` uses: beside it, hidden, named by this machine and process, and at random. */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${HOST_TAG}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}
/** host tag (absent in names from before it was added), pid */
const TEMPORARY = /^\..+\.(?:([0-9a-f]{8})-)?(\d+)\.[0-9a-f]{12}\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM'; // it exists, it is just not ours
  }
}

/** A temporary file untouched this long is not being written any more (writes take seconds). */
export const ABANDONED_AFTER_MS = 15 * 60_000;

/**
 * Removes from `dir` the temporary files of writes that never finished because their process
 * died (a crash or a kill mid-write can leave one as large as the audio). This machine's files
 * go when their process is gone; files of a live process, this one included, are left alone:
 * they may still be written. On a project folder shared over a network, another machine's file
 * (its pid means nothing here) goes only when untouched for ABANDONED_AFTER_MS, as do files named
 * before names carried the machine. Returns the names removed.
 */
export async function removeAbandonedTemporaryFiles(dir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMPORARY.exec(name);
    if (!m) continue;
    const mine = m[1] === HOST_TAG;
    if ((mine || !m[1]) && alive(Number(m[2]))) continue;
    if (!mine) {
      const modified = await stat(join(dir, name)).then(
        (st) => st.mtimeMs,
        () => null,
      );
      if (modified === null || now - modified < ABANDONED_AFTER_MS) continue;
    }
    await unlink(join(dir, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

export async function writeFileAtomic(path: string, data: Uint8Array, hooks: AtomicWriteHooks = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = temporaryPath(path);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    created = true;
    try {
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await fh.write(data, off, Math.min(data.length - off, 1 << 24));
        if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        off += bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (hooks.beforeRename) await hooks.beforeRename(tmp);
    await rename(tmp, path);
    created = false;
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw toCoded(e, path);
  }
  await syncDir(dir);
}

/**
 * Copies `source` to `path` the same way: into a temporary file beside the target (never over an
 * existing file), fsynced, renamed, and the folder fsynced, so a power cut leaves either no file or
 * the whole copy (never an empty or short one that something else already points to).
 */
export async function copyFileAtomic(source: string, path: string): Promise<void> {
  const dir = dirname(path);
  const tmp = temporaryPath(path);
  try {
    await copyFile(source, tmp, constants.COPYFILE_EXCL);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    // the name is ours alone (pid + random), so whatever a failed copy left under it goes
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/** Makes a rename in `dir` durable (POSIX); harmless to skip where folders cannot be opened. */
async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* not supported on this platform / file system */
  }
}
