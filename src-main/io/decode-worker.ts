// worker_threads entry for decoding. Built by electron-vite as out/main/decode-worker.js; run
// from source (vitest, tsx) through tsx's loader, see decode-pool.ts.
//
// Protocol: the parent posts one DecodeRequest; the worker answers with exactly one message,
// { ok: true, value } (channel and waveform buffers transferred, not copied) or
// { ok: false, error: { code, message } }, and the parent then ends the worker.

import { parentPort } from 'node:worker_threads';
import { CodedError, toAppError } from '../../src-shared/ipc/result';
import { runDecodeJob, transferablesOf, type DecodeRequest } from './decode-job';

const port = parentPort;
if (port) {
  port.once('message', (req: DecodeRequest) => {
    runDecodeJob(req).then(
      (value) => port.postMessage({ ok: true, value }, transferablesOf(value)),
      (e: unknown) => {
        const error =
          e instanceof CodedError
            ? { code: e.code, message: e.message }
            : toAppError(e);
        port.postMessage({ ok: false, error });
      },
    );
  });
}
