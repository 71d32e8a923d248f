import { CodedError } from '../../src-shared/ipc/result';

/** 'ok', or the CodedError code a promise rejects with (tests compare codes, not messages). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof CodedError ? e.code : `uncoded: ${(e as Error).message}`;
  }
}
