// The system error code of a failed file operation ("ENOENT", "EACCES", ...), or "" for anything else.

export function errno(e: unknown): string {
  return e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** The file (or a folder on its way) is not there: the one failure that means "missing". */
export function isAbsent(e: unknown): boolean {
  return errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR';
}

/** The system refused access (permissions, a read-only or locked file). */
export function isDenied(e: unknown): boolean {
  return errno(e) === 'EACCES' || errno(e) === 'EPERM';
}
