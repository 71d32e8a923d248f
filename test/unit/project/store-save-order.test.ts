// Saves of the project document land in the order they were asked for, also when an older
// one is slow (a stalled fsync): it must never rename its document over a newer one.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../src-main/io/atomic-write', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src-main/io/atomic-write')>();
  return {
    ...real,
    // a save of a track named "slow" stalls before it writes, one named "fails" fails
    writeFileAtomic: async (path: string, data: Uint8Array) => {
      const text = new TextDecoder().decode(data);
      if (text.includes('"slow"')) await new Promise((ok) => setTimeout(ok, 300));
      if (text.includes('"fails"')) throw new Error('the disk went away');
      return real.writeFileAtomic(path, data);
    },
  };
});

describe('ProjectStore.save', () => {
  it('lands saves in the order they were asked for', async () => {
    const { ProjectStore } = await import('../../../src-main/project/store');
    const { edits, EMPTY_PROJECT } = await import('../../../src-shared/project/doc');
    const s = new ProjectStore(mkdtempSync(join(tmpdir(), 'pnf-order-')));
    const doc = (name: string) =>
      edits.addTracks(EMPTY_PROJECT, [
        { id: 't1', name, colour: '#4cc9f0', gainDb: 0, muted: false, solo: false, blob: 'abcdefgh-0000', sampleRate: 8000, channelCount: 1, frames: 4, origin: { kind: 'import', file: 'x.wav' } },
      ]);
    const older = s.save(doc('slow'));
    const newer = s.save(doc('newest'));
    await Promise.all([older, newer]);
    expect(JSON.parse(readFileSync(join(s.dir, 'project.json'), 'utf8')).tracks[0].name).toBe('newest');
    // a failed save does not stop the ones after it
    const failing = s.save(doc('fails'));
    const after = s.save(doc('after'));
    await expect(failing).rejects.toThrow('the disk went away');
    await after;
    expect(JSON.parse(readFileSync(join(s.dir, 'project.json'), 'utf8')).tracks[0].name).toBe('after');
  });
});
