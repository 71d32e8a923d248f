// The project on disk: project.json (the document, written atomically on every change) and
// blobs/<id>.<format> (immutable, one per version of a track's audio): an imported file's
// own bytes (bit-exact, and far faster than re-encoding an hour of audio), a float32 WAV for
// everything the editor makes, or, for a version made by accepting a fill, a few hundred
// bytes of JSON naming the version before it and the fill (spliced in on reading), so an
// accepted fill in an hour-long track neither writes another hour nor waits for one.
// Source files the user opened are never touched.
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BlobId, EMPTY_PROJECT, ProjectDoc } from '../../src-shared/project/doc';
import type { AudioData } from '../../src-shared/audio/types';
import { acceptedFrames, acceptFillInPlace } from '../../src-shared/audio/splice';
import { updateWaveform } from '../../src-shared/audio/waveform';
import { CodedError, type ErrorCode } from '../../src-shared/ipc/result';
import { encodeWav } from '../io/wav-encode';
import { copyFileAtomic, removeAbandonedTemporaryFiles, writeFileAtomic } from '../io/atomic-write';
import { isAbsent, isDenied } from '../io/errno';
import { decodeOffThread, type DecodeJobResult } from '../io/decode-pool';
import { readWavRange, type AudioFormat } from '../io/decode';
import { readFlacRange } from '../io/flac-range';
import { readMp3Range } from '../io/mp3-range';
import { readOggRange } from '../io/ogg-range';

const BLOB_FORMATS: AudioFormat[] = ['wav', 'flac', 'mp3', 'ogg'];
/** The file extension of a version stored as an accepted fill. */
const FILL_VERSION = 'fill.json';
/** How long a compressed file decoded for a fill stays decoded after its last use. */
const DECODED_KEEP_MS = 120_000;
/** Fills stacked on one import before reading gives up (a guard against a looping chain). */
const MAX_FILL_CHAIN = 100_000;

/** A version of a track made by accepting a fill: `acceptFill(base, fill, ...)` on reading. */
export const FillVersion = z
  .object({
    kind: z.literal('fill'),
    base: BlobId,
    fill: BlobId,
    fillOffset: z.number().int(),
    start: z.number().finite().min(0),
    end: z.number().finite().min(0),
    sampleRate: z.number().int().min(1000).max(768000),
    channelCount: z.number().int().min(1).max(8),
    frames: z.number().int().min(0),
  })
  .strict();
export type FillVersion = z.infer<typeof FillVersion>;

/** What a version holds, without its samples. */
export interface AudioShape {
  sampleRate: number;
  channelCount: number;
  frames: number;
}

export interface LoadedProject {
  doc: ProjectDoc;
  /** Things the user should be told (a damaged project file was set aside, a missing blob). */
  warnings: string[];
}

export class ProjectStore {
  /** Shapes of versions decoded in this session (accepting a fill needs its base's shape). */
  private readonly shapes = new Map<string, AudioShape>();
  /** The save in flight (or the last one), which the next save waits for. */
  private lastSave: Promise<void> = Promise.resolve();
  /**
   * How many frames each stored file decoded to (on import, or when read whole): a compressed
   * file is read in stretches only once it is known to decode completely (see getAudioRange).
   */
  private readonly decodedFrames = new Map<string, number>();
  /**
   * The last audio file decoded whole for a stretch of it (a compressed file not known to decode
   * completely yet, a low-rate MP3), kept for DECODED_KEEP_MS after its last use: fills one after
   * another decode it once, not each time. Never handed out: stretches are copies.
   */
  private decoded: { path: string; audio: Promise<DecodeJobResult>; timer: ReturnType<typeof setTimeout> | undefined } | null = null;
  /** Whole decodes made for stretches (for tests). */
  wholeDecodesForStretches = 0;

  constructor(readonly dir: string) {}

  private get docPath() {
    return join(this.dir, 'project.json');
  }

  private blobFile(id: string, format: AudioFormat | typeof FILL_VERSION): string {
    const parsed = BlobId.safeParse(id);
    if (!parsed.success) throw new CodedError('BAD_REQUEST', 'Unknown audio reference.');
    return join(this.dir, 'blobs', `${parsed.data}.${format}`);
  }

  /**
   * The file holding a blob (audio, or an accepted fill's recipe), or null when it is missing. A
   * file that may be there but cannot be looked at (no permission, a drive error) is an error, not
   * "missing": what is missing gets left out or written back, which must never happen to audio
   * that is only out of reach for a moment.
   */
  async blobPath(id: string): Promise<string | null> {
    for (const format of [...BLOB_FORMATS, FILL_VERSION] as const) {
      const p = this.blobFile(id, format);
      try {
        await stat(p);
        return p;
      } catch (e) {
        if (!isAbsent(e)) throw this.outOfReach(p, e);
      }
    }
    return null;
  }

  /** The plain error for a project file that may exist but cannot be reached. */
  private outOfReach(path: string, e: unknown): CodedError {
    const why = isDenied(e) ? 'PnF Studio is not allowed to read it' : `${e instanceof Error ? e.message : String(e)}`;
    return new CodedError('UNREADABLE', `The project file ${path} cannot be read (${why}). Check the project folder's permissions and its drive, then reload; nothing in the project was changed.`);
  }

  /**
   * Writes a new file into the project's blobs (to a temporary file, then renamed). A full disk
   * is reported in the user's terms: the audio's copy did not fit into the project folder (the
   * file name it would have had means nothing to them), and nothing was changed.
   */
  private async writeBlob(write: () => Promise<void>): Promise<void> {
    try {
      await mkdir(join(this.dir, 'blobs'), { recursive: true });
      await write();
    } catch (e) {
      const code = e instanceof CodedError ? e.code : (e as NodeJS.ErrnoException)?.code;
      if (code !== 'DISK_FULL' && code !== 'ENOSPC' && code !== 'EDQUOT') throw e;
      throw new CodedError('DISK_FULL', `The disk holding the project folder (${this.dir}) is full: there was no room for the audio. Free some space and try again; the project is as it was.`);
    }
  }

  /** Store audio the editor made (a stem, a fill, an upsampled clip) as float32 WAV. */
  async putAudio(audio: AudioData): Promise<string> {
    const id = randomUUID();
    await this.writeBlob(() => writeFileAtomic(this.blobFile(id, 'wav'), encodeWav(audio, { format: 'float32' })));
    return id;
  }

  /** Store an imported file as it is (after it decoded successfully, to `shape`). */
  async putSource(source: { kind: 'path'; path: string } | { kind: 'bytes'; bytes: Uint8Array }, format: AudioFormat, shape?: AudioShape): Promise<string> {
    const id = randomUUID();
    const target = this.blobFile(id, format);
    await this.writeBlob(async () => {
      if (source.kind === 'bytes') return writeFileAtomic(target, source.bytes);
      await copyFileAtomic(source.path, target);
    });
    if (shape) {
      this.shapes.set(id, shape);
      this.decodedFrames.set(target, shape.frames);
    }
    return id;
  }

  /**
   * Store a version made by accepting a fill: only the recipe (the version before, the fill and
   * where it goes). The caller has checked that the fill fits (`checkAcceptFill`).
   */
  async putFillVersion(v: FillVersion): Promise<string> {
    const id = randomUUID();
    const target = this.blobFile(id, FILL_VERSION);
    await this.writeBlob(() => writeFileAtomic(target, new TextEncoder().encode(JSON.stringify(FillVersion.parse(v)))));
    this.shapes.set(id, { sampleRate: v.sampleRate, channelCount: v.channelCount, frames: v.frames });
    return id;
  }

  /**
   * Those of `ids` whose audio is gone from the project folder: the stored file, or for an
   * accepted fill any version or fill it is made of (the folder was moved, deleted or cleaned
   * up while the editor still shows the audio). A damaged file is not "missing": reading it
   * reports it.
   */
  async missingAudio(ids: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      try {
        const { fills } = await this.versionChain(id);
        for (const { v } of fills) {
          const fill = await this.blobPath(v.fill);
          if (!fill || fill.endsWith(FILL_VERSION)) throw new CodedError('NOT_FOUND', 'fill missing');
        }
      } catch (e) {
        if (e instanceof CodedError && e.code === 'NOT_FOUND') missing.push(id);
      }
    }
    return missing;
  }

  /**
   * Writes back a version whose audio is missing from the project folder (see missingAudio),
   * from the copy the editor holds, as a float32 WAV under the same id, so the document and its
   * undo history stay valid. Nothing present is ever replaced: a version that can be read is
   * left alone (false).
   */
  async restoreAudio(id: string, audio: AudioData): Promise<boolean> {
    const target = this.blobFile(id, 'wav'); // (a hostile id is refused here)
    if ((await this.missingAudio([id])).length === 0) return false;
    await this.writeBlob(() => writeFileAtomic(target, encodeWav(audio, { format: 'float32' })));
    this.shapes.set(id, { sampleRate: audio.sampleRate, channelCount: audio.channels.length, frames: audio.channels[0]?.length ?? 0 });
    return true;
  }

  /** Whether a blob is an accepted fill's recipe (not audio itself). */
  async isFillVersion(id: string): Promise<boolean> {
    return (await this.blobPath(id))?.endsWith(FILL_VERSION) ?? false;
  }

  /** A version's sample rate, channels and length: from its recipe, this session's decodes, or by decoding it. */
  async shapeOf(id: string): Promise<AudioShape> {
    const known = this.shapes.get(id);
    if (known) return known;
    const path = await this.blobPath(id);
    if (path?.endsWith(FILL_VERSION)) {
      const { sampleRate, channelCount, frames } = await this.readFillVersion(path);
      return { sampleRate, channelCount, frames };
    }
    const header = path ? await readWavRange(path, 0, 0).catch(() => null) : null; // a WAV says without being read
    if (header) return { sampleRate: header.sampleRate, channelCount: header.channels.length, frames: header.frames };
    const a = await this.getAudio(id);
    return { sampleRate: a.sampleRate, channelCount: a.channels.length, frames: a.channels[0]?.length ?? 0 };
  }

  async getAudio(id: string): Promise<DecodeJobResult> {
    const { root, fills } = await this.versionChain(id);
    const audio = await this.decodeBlob(root);
    let waveform = audio.waveform;
    const frames = audio.channels[0]?.length ?? 0;
    for (const { v, path } of fills) {
      await this.spliceFill(v, path, audio.sampleRate, audio.channels, { at: 0, frames });
      const sr = v.sampleRate;
      waveform = updateWaveform(waveform, audio.channels, sr, Math.floor(v.start * sr), Math.ceil(v.end * sr));
    }
    this.shapes.set(id, { sampleRate: audio.sampleRate, channelCount: audio.channels.length, frames: audio.channels[0]?.length ?? 0 });
    return { ...audio, waveform };
  }

  /**
   * Frames [from, to) of a version (clamped to it), with its sample rate and whole length:
   * exactly `getAudio(id)` sliced (for a low-rate MPEG-2 MP3, but for a float's last bits), but where the audio is a WAV, or a FLAC, MP3 or Ogg this session has
   * decoded whole once (on import or opening: that says no damaged part was left out), only that
   * stretch is read (a fill in an hour-long track needs a few seconds of it, not the hour).
   */
  async getAudioRange(id: string, from: number, to: number): Promise<{ sampleRate: number; frames: number; channels: Float32Array[] }> {
    const { root, fills } = await this.versionChain(id);
    // an accepted fill that reaches into the stretch is spliced whole, so its crossfade is the
    // one computed on the whole track: widen the stretch until no fill straddles its edges
    let a = Math.max(0, Math.floor(from));
    let b = Math.max(a, Math.ceil(to));
    for (let widened = true; widened; ) {
      widened = false;
      for (const { v } of fills) {
        const span = acceptedFrames(v.start, v.end, v.sampleRate, v.frames);
        if (span.b > a && span.a < b && (span.a < a || span.b > b)) {
          a = Math.min(a, span.a);
          b = Math.max(b, span.b);
          widened = true;
        }
      }
    }
    // one reader, by the stored file's format (a damaged file is reported by the whole decode below)
    const decodedFrames = this.decodedFrames.get(root);
    const readCompressed = root.endsWith('.flac') ? readFlacRange : root.endsWith('.mp3') ? readMp3Range : root.endsWith('.ogg') ? readOggRange : null;
    let part = readCompressed
      ? decodedFrames === undefined
        ? null
        : await readCompressed(root, a, b, decodedFrames).catch(() => null)
      : await readWavRange(root, a, b).catch(() => null);
    if (!part) {
      const whole = await this.decodedForStretches(root);
      const frames = whole.channels[0]?.length ?? 0;
      part = { sampleRate: whole.sampleRate, frames, channels: whole.channels.map((c) => c.slice(Math.min(a, frames), Math.min(b, frames))) };
    }
    const at = Math.min(a, part.frames);
    for (const { v, path } of fills) {
      const span = acceptedFrames(v.start, v.end, v.sampleRate, v.frames);
      if (span.b <= at || span.a >= at + (part.channels[0]?.length ?? 0)) continue; // outside the stretch
      await this.spliceFill(v, path, part.sampleRate, part.channels, { at, frames: part.frames });
    }
    const lo = Math.min(Math.max(0, Math.floor(from)), part.frames) - at;
    const hi = Math.min(Math.max(0, Math.ceil(to)), part.frames) - at;
    return { sampleRate: part.sampleRate, frames: part.frames, channels: part.channels.map((c) => c.slice(lo, Math.max(lo, hi))) };
  }

  /** `path` decoded whole, from the one kept (see `decoded`) or decoded now and kept. */
  private decodedForStretches(path: string): Promise<DecodeJobResult> {
    let kept = this.decoded;
    if (kept?.path === path) clearTimeout(kept.timer);
    else {
      if (kept) clearTimeout(kept.timer);
      this.wholeDecodesForStretches++;
      const fresh = { path, audio: this.decodeBlob(path), timer: undefined as ReturnType<typeof setTimeout> | undefined };
      fresh.audio.catch(() => {
        if (this.decoded === fresh) this.decoded = null; // a failure is not kept
      });
      kept = this.decoded = fresh;
    }
    const mine = kept;
    mine.timer = setTimeout(() => {
      if (this.decoded === mine) this.decoded = null;
    }, DECODED_KEEP_MS);
    mine.timer.unref?.();
    return mine.audio;
  }

  /** The audio a version starts from and the accepted fills on top of it, oldest first. */
  private async versionChain(id: string): Promise<{ root: string; fills: { v: FillVersion; path: string }[] }> {
    const fills: { v: FillVersion; path: string }[] = [];
    const seen = new Set<string>();
    let path = await this.blobPath(id);
    let at = id;
    while (path?.endsWith(FILL_VERSION)) {
      if (seen.has(at) || seen.size >= MAX_FILL_CHAIN) throw this.unreadable(path, 'Its chain of accepted fills loops back on itself.');
      seen.add(at);
      const v = await this.readFillVersion(path);
      fills.push({ v, path });
      at = v.base;
      path = await this.blobPath(at);
    }
    if (!path) throw new CodedError('NOT_FOUND', 'This audio is missing from the project folder (was it deleted?).');
    return { root: path, fills: fills.reverse() };
  }

  /**
   * Splices an accepted fill (recipe `v`, stored at `recipe`) into `into`: frames [stretch.at, ...)
   * of audio stretch.frames long, at `sampleRate`. Checks the fill against that audio first.
   */
  private async spliceFill(v: FillVersion, recipe: string, sampleRate: number, into: Float32Array[], stretch: { at: number; frames: number }): Promise<void> {
    const path = await this.blobPath(v.fill);
    if (!path || path.endsWith(FILL_VERSION)) throw new CodedError('NOT_FOUND', 'An accepted fill is missing from the project folder (was it deleted?).');
    const fill = (await readWavRange(path, 0, Number.MAX_SAFE_INTEGER).catch(() => null)) ?? (await this.decodeBlob(path));
    if (sampleRate !== v.sampleRate || fill.sampleRate !== v.sampleRate || into.length !== v.channelCount || fill.channels.length !== v.channelCount || stretch.frames !== v.frames) {
      throw this.unreadable(recipe, 'An accepted fill does not match the audio it was accepted into.');
    }
    try {
      acceptFillInPlace(into, fill.channels, v.fillOffset, v.start, v.end, v.sampleRate, stretch);
    } catch (e) {
      throw this.unreadable(path, `An accepted fill does not fit its track (${e instanceof Error ? e.message : String(e)}).`);
    }
  }

  private async readFillVersion(path: string): Promise<FillVersion> {
    try {
      return FillVersion.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch (e) {
      throw this.unreadable(path, e instanceof SyntaxError || e instanceof z.ZodError ? 'It is damaged.' : `${e instanceof Error ? e.message : String(e)}.`);
    }
  }

  /** The plain error for a project file that cannot be read: about the project's copy, not the user's file. */
  private unreadable(path: string, reason: string, code: ErrorCode = 'CORRUPT_FILE'): CodedError {
    return new CodedError(code, `the project's copy of its audio (${path}) cannot be read: ${reason} If you still have the original file, open it again.`);
  }

  private async decodeBlob(path: string): Promise<DecodeJobResult> {
    try {
      const audio = await decodeOffThread({ kind: 'path', path });
      this.decodedFrames.set(path, audio.channels[0]?.length ?? 0);
      return audio;
    } catch (e) {
      // the decoder's advice ("convert it to WAV") is about a user's file, not the project's copy
      if (!(e instanceof CodedError) || e.code === 'TOO_LARGE') throw e;
      const reason = e.message.split(/(?<=\.) /)[0]!;
      throw this.unreadable(path, reason, e.code);
    }
  }

  async load(): Promise<LoadedProject> {
    // what writes cut short by a crash left behind (the project's own files are never touched)
    for (const d of [this.dir, join(this.dir, 'blobs')]) await removeAbandonedTemporaryFiles(d);
    let text: string;
    try {
      text = await readFile(this.docPath, 'utf8');
    } catch (e) {
      // only a project that is not there yet starts empty: one out of reach must not be saved over
      if (isAbsent(e)) return { doc: EMPTY_PROJECT, warnings: [] };
      throw this.outOfReach(this.docPath, e);
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
      try {
        await rename(this.docPath, aside);
      } catch (e) {
        throw new CodedError('CORRUPT_FILE', `The saved project (${this.docPath}) is damaged and could not be moved aside to keep it (${e instanceof Error ? e.message : String(e)}). Copy it somewhere safe, then remove it and reload to start a new project.`);
      }
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

  /**
   * Saves land in the order they were asked for: each waits for the one before, so a slow older
   * save (a stalled fsync) can never rename its document over a newer one.
   */
  save(doc: ProjectDoc): Promise<void> {
    const write = async () => {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.docPath, new TextEncoder().encode(JSON.stringify(doc, null, 1)));
    };
    const saved = this.lastSave.then(write, write);
    this.lastSave = saved.catch(() => undefined);
    return saved;
  }
}
