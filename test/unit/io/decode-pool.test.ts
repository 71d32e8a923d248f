// decodeOffThread: a real worker thread (from source via tsx), buffers transferred back,
// errors rebuilt as CodedError with the same code and message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../src-shared/ipc/result';
import { DISPLAY_TIMEBASE, summarize } from '../../../src-shared/audio/waveform';
import { decodeAudioBytes } from '../../../src-main/io/decode';
import { decodeLaunchMode, decodeOffThread } from '../../../src-main/io/decode-pool';
import { EVAL_DIR, makeWav, pack, requireEvalDir } from './helpers';

describe('decodeOffThread', () => {
  it('runs in a worker thread when running from source', () => {
    expect(decodeLaunchMode()).toBe('tsx');
  });

  it('decodes a path with its waveform and name', async () => {
    requireEvalDir();
    const path = join(EVAL_DIR, 'voice/vctk_p225_003.wav');
    const r = await decodeOffThread({ kind: 'path', path });
    expect(r.name).toBe('vctk_p225_003.wav');
    expect(r.format).toBe('wav');
    expect(r.sampleRate).toBe(16000);
    expect(r.channels).toHaveLength(1);
    expect(r.channels[0]).toBeInstanceOf(Float32Array);
    const inline = await decodeAudioBytes(readFileSync(path), 'x.wav');
    expect(r.channels[0]).toEqual(inline.channels[0]);
    // The summary's scale and bit depth are chosen in decode-job.ts; it must equal computeWaveform's.
    const wf = summarize(inline.channels, 16000);
    expect(r.waveform.sampleRate).toBe(DISPLAY_TIMEBASE); // every summary uses the common display timebase
    expect(r.waveform.channels).toBe(1);
    expect(r.waveform.length).toBe(wf.length);
    expect(r.waveform.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(r.waveform.bytes)).toEqual(Array.from(wf.bytes));
  });

  it('decodes bytes (stereo FLAC) and leaves the caller\'s bytes intact', async () => {
    requireEvalDir();
    const bytes = new Uint8Array(readFileSync(join(EVAL_DIR, 'piano/ishizaka_wtc1_fugue7.flac')));
    const r = await decodeOffThread({ kind: 'bytes', name: 'upload.bin', bytes });
    expect(r.name).toBe('upload.bin');
    expect(r.format).toBe('flac');
    expect(r.channels).toHaveLength(2);
    expect(r.channels[1]!.length).toBe(882000);
    expect(bytes.length).toBeGreaterThan(0); // not detached by the request
  });

  it('carries warnings back', async () => {
    const w = makeWav({ bits: 16, data: pack([[1, 2, 3]], 's16') });
    const r = await decodeOffThread({ kind: 'bytes', name: 'cut.wav', bytes: w.subarray(0, w.length - 2) });
    expect(r.channels[0]!.length).toBe(2);
    expect(r.warnings?.[0]).toMatch(/"cut.wav" is truncated/);
  });

  it('propagates errors as CodedError with the same code and message', async () => {
    const cases: [Parameters<typeof decodeOffThread>[0], string][] = [
      [{ kind: 'bytes', name: 'empty.wav', bytes: new Uint8Array(0) }, 'EMPTY_FILE'],
      [{ kind: 'bytes', name: 'junk.wav', bytes: new Uint8Array([1, 2, 3, 4, 5]) }, 'UNSUPPORTED_FORMAT'],
      [{ kind: 'path', path: '/nonexistent/dir/missing.flac' }, 'NOT_FOUND'],
    ];
    for (const [req, code] of cases) {
      let inlineMsg = '';
      if (req.kind === 'bytes') {
        try {
          await decodeAudioBytes(req.bytes, req.name);
        } catch (e) {
          inlineMsg = (e as Error).message;
        }
      }
      const err = await decodeOffThread(req).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CodedError);
      expect((err as CodedError).code).toBe(code);
      if (inlineMsg) expect((err as CodedError).message).toBe(inlineMsg);
      expect((err as CodedError).message).toMatch(/"(empty\.wav|junk\.wav|missing\.flac)"/);
    }
  });

  it('handles several requests at once', async () => {
    const reqs = [1, 2, 3].map((n) => ({ kind: 'bytes' as const, name: `n${n}.wav`, bytes: makeWav({ data: pack([Array.from({ length: n * 100 }, (_, i) => i)], 's16') }) }));
    const rs = await Promise.all(reqs.map((r) => decodeOffThread(r)));
    expect(rs.map((r) => r.channels[0]!.length)).toEqual([100, 200, 300]);
  });
});
