// Errors cross every boundary (IPC, WebSocket, engine host) as values, never as throws.

/** Codes a user (or the UI on their behalf) can act on. */
export const ERROR_CODES = [
  'BAD_REQUEST', // the payload failed validation (a bug or a hostile caller)
  'FORBIDDEN', // the caller is not allowed to do this (wrong sender, bad token)
  'NOT_FOUND', // a file or object does not exist
  'UNREADABLE', // a file exists but cannot be read (permissions, I/O error)
  'EMPTY_FILE', // zero bytes, or a valid header with zero frames
  'UNSUPPORTED_FORMAT', // not a format we decode
  'CORRUPT_FILE', // a known format, but damaged or truncated
  'BAD_SAMPLES', // NaN / Inf samples
  'TOO_LARGE', // over a size limit
  'DISK_FULL',
  'CANCELLED',
  'ENGINE_FAILED',
  'MODEL_INVALID',
  'DEVICE_UNAVAILABLE',
  'INTERNAL', // a bug: the message says what failed, the app keeps working
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  /** Plain words for the user: what happened and what to do. Never a stack trace. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

/** An Error that carries a user-facing code; services throw it, the IPC edge turns it into a Result. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && (ERROR_CODES as readonly string[]).includes(x);
}

/** Turn anything thrown into an AppError. Unknown errors become INTERNAL with their message only. */
export function toAppError(e: unknown): AppError {
  if (e instanceof CodedError) return { code: e.code, message: e.message };
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const code = (e as { code: unknown }).code;
    const message = String((e as { message: unknown }).message);
    if (isErrorCode(code)) return { code, message };
    if (code === 'ENOSPC') return { code: 'DISK_FULL', message: 'The disk is full. Free some space and try again.' };
    if (code === 'ENOENT') return { code: 'NOT_FOUND', message };
    if (code === 'EACCES' || code === 'EPERM') return { code: 'UNREADABLE', message };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: `Something went wrong inside PnF Studio: ${message}` };
}
