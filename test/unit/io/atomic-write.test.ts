import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../../src-shared/ipc/result';
import { ABANDONED_AFTER_MS, HOST_TAG, copyFileAtomic, removeAbandonedTemporaryFiles, writeFileAtomic } from '../../../src-main/io/atomic-write';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pnf-atomic-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temp files', async () => {
    const p = join(dir, 'mix.wav');
    await writeFileAtomic(p, bytes('first'));
    expect(readFileSync(p, 'utf8')).toBe('first');
    await writeFileAtomic(p, bytes('second, longer'));
    expect(readFileSync(p, 'utf8')).toBe('second, longer');
    expect(readdirSync(dir)).toEqual(['mix.wav']);
  });

  it('writes large data completely', async () => {
    const p = join(dir, 'big.bin');
    const data = new Uint8Array(40 * 1024 * 1024).map((_, i) => i & 0xff);
    await writeFileAtomic(p, data);
    expect(readFileSync(p).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('on a failure before the rename: original intact, temp file removed', async () => {
    const p = join(dir, 'mix.wav');
    writeFileSync(p, 'original');
    let seenTemp = '';
    const err = await writeFileAtomic(p, bytes('new'), {
      beforeRename: (tmp) => {
        seenTemp = tmp;
        expect(readdirSync(dir)).toHaveLength(2); // the temp really was written next to the target
        throw Object.assign(new Error('simulated I/O error'), { code: 'EIO' });
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).message).toMatch(/"mix.wav"/);
    expect(seenTemp.startsWith(dir)).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe('original');
    expect(readdirSync(dir)).toEqual(['mix.wav']);
  });

  it('ENOSPC becomes DISK_FULL in plain words', async () => {
    const p = join(dir, 'mix.wav');
    writeFileSync(p, 'original');
    const err = await writeFileAtomic(p, bytes('new'), {
      beforeRename: () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe('DISK_FULL');
    expect((err as CodedError).message).toMatch(/disk is full/);
    expect((err as CodedError).message).not.toMatch(/ENOSPC/);
    expect(readFileSync(p, 'utf8')).toBe('original');
    expect(readdirSync(dir)).toEqual(['mix.wav']);
  });

  it('a real write failure (target is a folder, or folder missing) leaves everything as it was', async () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside.txt'), 'keep');
    const e1 = await writeFileAtomic(target, bytes('x')).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(CodedError);
    expect(readFileSync(join(target, 'inside.txt'), 'utf8')).toBe('keep');
    expect(readdirSync(dir)).toEqual(['taken']);
    const e2 = await writeFileAtomic(join(dir, 'no-such-folder', 'a.wav'), bytes('x')).catch((e: unknown) => e);
    expect((e2 as CodedError).code).toBe('NOT_FOUND');
  });

  // Root ignores directory permissions, so this one is reported as skipped there; the simulated failures above cover it.
  it.skipIf(process.getuid?.() === 0)('read-only folder: refused, original intact', async () => {
    const p = join(dir, 'mix.wav');
    writeFileSync(p, 'original');
    chmodSync(dir, 0o555);
    const err = await writeFileAtomic(p, bytes('new')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect(readFileSync(p, 'utf8')).toBe('original');
  });
});

describe('copyFileAtomic', () => {
  it('copies a file whole under its new name, leaves no temp file, and on failure leaves nothing', async () => {
    const from = join(dir, 'take.flac');
    const data = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 255);
    writeFileSync(from, data);
    const to = join(dir, 'copy.flac');
    await copyFileAtomic(from, to);
    expect(Buffer.compare(readFileSync(to), Buffer.from(data))).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['copy.flac', 'take.flac']);
    await expect(copyFileAtomic(join(dir, 'gone.flac'), join(dir, 'other.flac'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(copyFileAtomic(from, join(dir, 'no-such-folder', 'x.flac'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir).sort()).toEqual(['copy.flac', 'take.flac']);
  });
});

describe('removeAbandonedTemporaryFiles', () => {
  const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no process has it
  const other = HOST_TAG === '00000000' ? '11111111' : '00000000'; // another machine
  it("removes at once this machine's temporary files whose process died, and nothing else", async () => {
    const names = {
      abandoned: `.take.wav.${HOST_TAG}-${dead}.0123456789ab.tmp`,
      ours: `.take.wav.${HOST_TAG}-${process.pid}.0123456789ab.tmp`, // (may still be being written)
      notOurs: `take.wav.${dead}.tmp`,
      audio: 'take.wav',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
    expect(await removeAbandonedTemporaryFiles(dir)).toEqual([names.abandoned]);
    expect(readdirSync(dir).sort()).toEqual([names.ours, names.notOurs, names.audio].sort());
    expect(await removeAbandonedTemporaryFiles(join(dir, 'missing'))).toEqual([]);
  });
  it("leaves another machine's recent one alone, whatever its pid (a write in progress over the network); an old one goes", async () => {
    const name = `.take.wav.${other}-${process.pid}.0123456789ab.tmp`; // a pid alive here means nothing
    const unnamed = `.mix.wav.${dead}.0123456789ab.tmp`; // named before names carried the machine
    writeFileSync(join(dir, name), 'x');
    writeFileSync(join(dir, unnamed), 'x');
    expect(await removeAbandonedTemporaryFiles(dir)).toEqual([]);
    expect(await removeAbandonedTemporaryFiles(dir, Date.now() + ABANDONED_AFTER_MS - 60_000)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([unnamed, name].sort());
    expect((await removeAbandonedTemporaryFiles(dir, Date.now() + ABANDONED_AFTER_MS + 60_000)).sort()).toEqual([unnamed, name].sort());
  });
  it('names its own temporary files so that they are known as this machine\'s', async () => {
    const p = join(dir, 'take.wav');
    let seen = '';
    await writeFileAtomic(p, new Uint8Array(10), {
      beforeRename: async (tmp) => {
        seen = tmp;
        expect(basename(tmp)).toMatch(new RegExp(`^\\.take\\.wav\\.${HOST_TAG}-${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
      },
    });
    expect(seen).not.toBe('');
  });
});

