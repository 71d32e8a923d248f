// The project on disk: project.json (the document, written atomically on every change) and
// blobs/<id>.wav (immutable float32 WAV, one per version of a track's audio). Source files
// the user opened are never touched; their audio is copied into a blob at import.
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BlobId, EMPTY_PROJECT, ProjectDoc } from '../../src-shared/project/doc';
import type { AudioData } from '../../src-shared/audio/types';
import { CodedError } from '../../src-shared/ipc/result';
import { encodeWav } from '../io/wav-encode';
import { writeFileAtomic } from '../io/atomic-write';
import { decodeOffThread, type DecodeJobResult } from '../io/decode-pool';

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

  blobPath(id: string): string {
    const parsed = BlobId.safeParse(id);
    if (!parsed.success) throw new CodedError('BAD_REQUEST', 'Unknown audio reference.');
    return join(this.dir, 'blobs', `${parsed.data}.wav`);
  }

  async putAudio(audio: AudioData): Promise<string> {
    const id = randomUUID();
    await mkdir(join(this.dir, 'blobs'), { recursive: true });
    await writeFileAtomic(this.blobPath(id), encodeWav(audio, { format: 'float32' }));
    return id;
  }

  async getAudio(id: string): Promise<DecodeJobResult> {
    const path = this.blobPath(id);
    try {
      await stat(path);
    } catch {
      throw new CodedError('NOT_FOUND', 'This audio is missing from the project folder (was it deleted?).');
    }
    return decodeOffThread({ kind: 'path', path });
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
      try {
        await stat(this.blobPath(t.blob));
        present.push(t);
      } catch {
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
