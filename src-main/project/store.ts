// The project on disk: project.json (the document, written atomically on every change) and
// blobs/<id>.<format> (immutable, one per version of a track's audio): an imported file's
// own bytes (bit-exact, and far faster than re-encoding an hour of audio), or a float32
// WAV for everything the editor makes. Source files the user opened are never touched.
import { copyFile, mkdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BlobId, EMPTY_PROJECT, ProjectDoc } from '../../src-shared/project/doc';
import type { AudioData } from '../../src-shared/audio/types';
import { CodedError } from '../../src-shared/ipc/result';
import { encodeWav } from '../io/wav-encode';
import { writeFileAtomic } from '../io/atomic-write';
import { decodeOffThread, type DecodeJobResult } from '../io/decode-pool';
import type { AudioFormat } from '../io/decode';

const BLOB_FORMATS: AudioFormat[] = ['wav', 'flac', 'mp3', 'ogg'];

export interface LoadedProject {
  doc: ProjectDoc;
  /** Things the user should be told (a damaged project file was set aside, a missing blob). */
  warnings: string[];
}

export class ProjectStore {
  constructor(readonly dir: string) {}

  private get docPath() {
    return join(this.dir, 'project.json');
  }

  private blobFile(id: string, format: AudioFormat): string {
    const parsed = BlobId.safeParse(id);
    if (!parsed.success) throw new CodedError('BAD_REQUEST', 'Unknown audio reference.');
    return join(this.dir, 'blobs', `${parsed.data}.${format}`);
  }

  /** The file holding a blob, or null when it is missing. */
  async blobPath(id: string): Promise<string | null> {
    for (const format of BLOB_FORMATS) {
      const p = this.blobFile(id, format);
      try {
        await stat(p);
        return p;
      } catch {
        // try the next format
      }
    }
    return null;
  }

  /** Store audio the editor made (a stem, a fill, an upsampled clip) as float32 WAV. */
  async putAudio(audio: AudioData): Promise<string> {
    const id = randomUUID();
    await mkdir(join(this.dir, 'blobs'), { recursive: true });
    await writeFileAtomic(this.blobFile(id, 'wav'), encodeWav(audio, { format: 'float32' }));
    return id;
  }

  /** Store an imported file as it is (after it decoded successfully). */
  async putSource(source: { kind: 'path'; path: string } | { kind: 'bytes'; bytes: Uint8Array }, format: AudioFormat): Promise<string> {
    const id = randomUUID();
    await mkdir(join(this.dir, 'blobs'), { recursive: true });
    const target = this.blobFile(id, format);
    if (source.kind === 'bytes') {
      await writeFileAtomic(target, source.bytes);
      return id;
    }
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      await copyFile(source.path, tmp);
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    return id;
  }

  async getAudio(id: string): Promise<DecodeJobResult> {
    const path = await this.blobPath(id);
    if (!path) throw new CodedError('NOT_FOUND', 'This audio is missing from the project folder (was it deleted?).');
    try {
      return await decodeOffThread({ kind: 'path', path });
    } catch (e) {
      // the decoder's advice ("convert it to WAV") is about a user's file, not the project's copy
      if (!(e instanceof CodedError) || e.code === 'TOO_LARGE') throw e;
      const reason = e.message.split(/(?<=\.) /)[0];
      throw new CodedError(e.code, `the project's copy of its audio (${path}) cannot be read: ${reason} If you still have the original file, open it again.`);
    }
  }

  async load(): Promise<LoadedProject> {
    let text: string;
    try {
      text = await readFile(this.docPath, 'utf8');
    } catch {
      return { doc: EMPTY_PROJECT, warnings: [] };
    }
    let doc: ProjectDoc | null = null;
    try {
      const parsed = ProjectDoc.safeParse(JSON.parse(text));
      if (parsed.success) doc = parsed.data;
    } catch {
      doc = null;
    }
    if (!doc) {
      const aside = `${this.docPath}.damaged-${Date.now()}`;
      await rename(this.docPath, aside).catch(() => {});
      return { doc: EMPTY_PROJECT, warnings: [`The saved project could not be read; it was kept as ${aside} and a new project was started.`] };
    }
    const warnings: string[] = [];
    const present = [];
    for (const t of doc.tracks) {
      if (await this.blobPath(t.blob)) present.push(t);
      else {
        warnings.push(`The audio of track "${t.name}" is missing from the project folder; the track was left out.`);
      }
    }
    return { doc: { ...doc, tracks: present }, warnings };
  }

  async save(doc: ProjectDoc): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.docPath, new TextEncoder().encode(JSON.stringify(doc, null, 1)));
  }
}
