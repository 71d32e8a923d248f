// The project document: what autosave writes and reopen restores. Audio itself lives in
// immutable blobs (one per version of a track; see src-main/project/store.ts) referenced by id, so a document
// is small JSON and every undo step is just an earlier document.
import { z } from 'zod';

export const BlobId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'bad blob id');
export type BlobId = z.infer<typeof BlobId>;

export const TrackId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'bad track id');

export const JOB_KINDS = ['separate', 'upsample', 'inpaint', 'generate'] as const;

export const TrackOrigin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('import'), file: z.string().max(1024) }).strict(),
  z.object({ kind: z.literal('job'), job: z.enum(JOB_KINDS), from: z.string().max(64).nullable(), stem: z.string().max(64) }).strict(),
]);
export type TrackOrigin = z.infer<typeof TrackOrigin>;

export const TrackDoc = z
  .object({
    id: TrackId,
    name: z.string().min(1).max(256),
    colour: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    gainDb: z.number().min(-60).max(24),
    muted: z.boolean(),
    solo: z.boolean(),
    blob: BlobId,
    sampleRate: z.number().int().min(1000).max(768000),
    channelCount: z.number().int().min(1).max(8),
    frames: z.number().int().min(0),
    origin: TrackOrigin,
  })
  .strict();
export type TrackDoc = z.infer<typeof TrackDoc>;

export const MAX_TRACKS = 64;

export const ProjectDoc = z
  .object({
    version: z.literal(1),
    tracks: z.array(TrackDoc).max(MAX_TRACKS),
  })
  .strict()
  .refine((d) => new Set(d.tracks.map((t) => t.id)).size === d.tracks.length, 'duplicate track ids');
export type ProjectDoc = z.infer<typeof ProjectDoc>;

export const EMPTY_PROJECT: ProjectDoc = { version: 1, tracks: [] };

/**
 * Why `adding` more tracks would not fit into the project, or null when they do. `pending` counts
 * the tracks that running jobs will add when they finish. (A project over MAX_TRACKS could not be
 * saved: every later edit would be lost, so the editor refuses the track that would not fit.)
 */
export function tracksWontFit(doc: ProjectDoc, adding: number, pending = 0): string | null {
  const room = MAX_TRACKS - doc.tracks.length - pending;
  if (adding <= room) return null;
  const coming = pending ? ` (${pending} more will come from the jobs that are running)` : '';
  return `A project holds at most ${MAX_TRACKS} tracks; this one has ${doc.tracks.length}${coming}, so there is room for ${Math.max(0, room)} more. Delete tracks you no longer need (export them first to keep them), then try again.`;
}

export const TRACK_COLOURS = ['#4cc9f0', '#f72585', '#80ed99', '#ffbe0b', '#b388eb', '#fb8500'] as const;

// ---- pure edits (each returns a new document) -------------------------------------------

function mapTrack(doc: ProjectDoc, id: string, f: (t: TrackDoc) => TrackDoc): ProjectDoc {
  if (!doc.tracks.some((t) => t.id === id)) return doc;
  return { ...doc, tracks: doc.tracks.map((t) => (t.id === id ? f(t) : t)) };
}

export const edits = {
  addTracks(doc: ProjectDoc, tracks: TrackDoc[], after?: string): ProjectDoc {
    const i = after ? doc.tracks.findIndex((t) => t.id === after) : -1;
    const at = i >= 0 ? i + 1 : doc.tracks.length;
    return { ...doc, tracks: [...doc.tracks.slice(0, at), ...tracks, ...doc.tracks.slice(at)] };
  },
  remove(doc: ProjectDoc, id: string): ProjectDoc {
    return { ...doc, tracks: doc.tracks.filter((t) => t.id !== id) };
  },
  rename(doc: ProjectDoc, id: string, name: string): ProjectDoc {
    const clean = name.trim().slice(0, 256);
    // the same name is no edit (no undo step, and the redo branch stays)
    return clean && doc.tracks.some((t) => t.id === id && t.name !== clean) ? mapTrack(doc, id, (t) => ({ ...t, name: clean })) : doc;
  },
  setMuted(doc: ProjectDoc, id: string, muted: boolean): ProjectDoc {
    return mapTrack(doc, id, (t) => ({ ...t, muted }));
  },
  setSolo(doc: ProjectDoc, id: string, solo: boolean): ProjectDoc {
    return mapTrack(doc, id, (t) => ({ ...t, solo }));
  },
  setGain(doc: ProjectDoc, id: string, gainDb: number): ProjectDoc {
    const g = Math.max(-60, Math.min(24, Number.isFinite(gainDb) ? gainDb : 0));
    return mapTrack(doc, id, (t) => ({ ...t, gainDb: g }));
  },
  setColour(doc: ProjectDoc, id: string, colour: string): ProjectDoc {
    return /^#[0-9a-fA-F]{6}$/.test(colour) ? mapTrack(doc, id, (t) => ({ ...t, colour })) : doc;
  },
  /** A new version of a track's audio (an accepted fill); same length and layout. */
  replaceAudio(doc: ProjectDoc, id: string, blob: BlobId, frames: number): ProjectDoc {
    return mapTrack(doc, id, (t) => ({ ...t, blob, frames }));
  },
};

/** Which tracks are heard: solo wins over mute (like every mixer). */
export function audibleTrackIds(doc: ProjectDoc): Set<string> {
  const soloed = doc.tracks.filter((t) => t.solo);
  const pool = soloed.length ? soloed : doc.tracks.filter((t) => !t.muted);
  return new Set(pool.map((t) => t.id));
}

export function nextColour(doc: ProjectDoc, offset = 0): string {
  return TRACK_COLOURS[(doc.tracks.length + offset) % TRACK_COLOURS.length]!;
}

/** A new track over one version of audio, with neutral mixer settings. */
export function newTrack(
  id: string,
  name: string,
  colour: string,
  audio: { blob: string; sampleRate: number; channelCount: number; frames: number },
  origin: TrackOrigin,
): TrackDoc {
  const { blob, sampleRate, channelCount, frames } = audio;
  return { id, name, colour, gainDb: 0, muted: false, solo: false, blob, sampleRate, channelCount, frames, origin };
}
