// Whether two paths name one file on disk, however spelled (relative, through a link, a hard link).
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * The same file: one resolved path, one inode, or (for a file not there yet) the same name in the
 * same real folder. Used before writing, so nothing the user opened is written over.
 */
export function sameFile(a: string, b: string): boolean {
  const ra = resolve(a);
  const rb = resolve(b);
  if (ra === rb) return true;
  try {
    const sa = statSync(ra);
    const sb = statSync(rb);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    try {
      return realpathSync(dirname(ra)) === realpathSync(dirname(rb)) && basename(ra) === basename(rb);
    } catch {
      return false;
    }
  }
}
