// The Vorbis decoder sometimes fails on a damaged page with a fault of its own ("logError is not
// defined": a ReferenceError in its error path). The user gets the damaged-file error in plain words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EVAL_DIR, requireEvalDir } from './helpers';

vi.mock('@audio/decode-vorbis', () => ({
  default: async () => {
    throw new ReferenceError('logError is not defined');
  },
}));

describe('a fault inside the Vorbis decoder', () => {
  it('is reported as a damaged file, without the library\'s own words', async () => {
    requireEvalDir();
    const { decodeAudioBytes } = await import('../../../src-main/io/decode');
    const bytes = readFileSync(join(EVAL_DIR, 'piano/salamander_c4_note.ogg'));
    const err = await decodeAudioBytes(bytes, 'note.ogg').then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('CORRUPT_FILE');
    expect(err?.message).toMatch(/"note\.ogg" could not be decoded as Ogg Vorbis: the data is damaged \(a damaged page stopped the decoder\)\. Re-export it/);
    expect(err?.message).not.toMatch(/logError/);
  });
});
