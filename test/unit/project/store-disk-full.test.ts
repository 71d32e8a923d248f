// A full disk while the project stores audio: the user is told in their terms (the project
// folder's disk is full; their file names, not ours), and nothing is left behind.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CodedError } from '../../../src-shared/ipc/result';

vi.mock('../../../src-main/io/atomic-write', async (importOriginal) => ({
  // the real copyFileAtomic, over the copyFile below that runs out of room
  ...(await importOriginal<typeof import('../../../src-main/io/atomic-write')>()),
  writeFileAtomic: async (path: string) => {
    throw new CodedError('DISK_FULL', `Could not save "${path.split('/').pop()}": the disk is full.`);
  },
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    copyFile: async (_from: string, to: string) => {
      await real.writeFile(to, 'partial'); // what a copy that ran out of room leaves
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    },
  };
});

describe('ProjectStore on a full disk', () => {
  it('says the project folder has no room, names no internal file, and leaves nothing behind', async () => {
    const { ProjectStore } = await import('../../../src-main/project/store');
    const dir = mkdtempSync(join(tmpdir(), 'pnf-full-'));
    const s = new ProjectStore(dir);
    const attempts = [
      () => s.putAudio({ sampleRate: 8000, channels: [new Float32Array(10)] }),
      () => s.putSource({ kind: 'bytes', bytes: new Uint8Array(10) }, 'wav'),
      () => s.putSource({ kind: 'path', path: join(dir, 'take.wav') }, 'wav'),
      () => s.putFillVersion({ kind: 'fill', base: '00000000-0000-4000-8000-000000000000', fill: '00000000-0000-4000-8000-000000000001', fillOffset: 0, start: 0, end: 0.1, sampleRate: 8000, channelCount: 1, frames: 8000 }),
    ];
    for (const attempt of attempts) {
      const e = await attempt().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(CodedError);
      expect((e as CodedError).code).toBe('DISK_FULL');
      expect((e as CodedError).message).toContain(dir);
      expect((e as CodedError).message).toMatch(/full.*Free some space/);
      expect((e as CodedError).message).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // no blob ids
    }
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
  });
});
