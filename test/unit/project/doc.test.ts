import { describe, expect, it } from 'vitest';
import { audibleTrackIds, edits, EMPTY_PROJECT, MAX_TRACKS, ProjectDoc, tracksWontFit, type TrackDoc } from '../../../src-shared/project/doc';
import { canRedo, canUndo, initHistory, pushBesideFuture, pushHistory, redo, undo } from '../../../src-shared/project/history';

const track = (id: string, over: Partial<TrackDoc> = {}): TrackDoc => ({
  id,
  name: id,
  colour: '#4cc9f0',
  gainDb: 0,
  muted: false,
  solo: false,
  blob: `blob-${id}-0000`,
  sampleRate: 16000,
  channelCount: 1,
  frames: 100,
  origin: { kind: 'import', file: `${id}.wav` },
  ...over,
});

describe('project document', () => {
  it('validates and rejects hostile documents', () => {
    const doc = edits.addTracks(EMPTY_PROJECT, [track('a'), track('b')]);
    expect(ProjectDoc.safeParse(doc).success).toBe(true);
    expect(ProjectDoc.safeParse({ ...doc, tracks: [track('a'), track('a')] }).success).toBe(false);
    expect(ProjectDoc.safeParse({ version: 2, tracks: [] }).success).toBe(false);
    expect(ProjectDoc.safeParse({ version: 1, tracks: [{ ...track('a'), blob: '../../etc/passwd' }] }).success).toBe(false);
    expect(ProjectDoc.safeParse({ version: 1, tracks: [{ ...track('a'), id: 'a/b' }] }).success).toBe(false);
    expect(ProjectDoc.safeParse({ version: 1, tracks: [{ ...track('a'), extra: 1 }] }).success).toBe(false);
  });

  it('applies edits immutably', () => {
    const d0 = edits.addTracks(EMPTY_PROJECT, [track('a'), track('c')]);
    const d1 = edits.addTracks(d0, [track('b')], 'a');
    expect(d1.tracks.map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(d0.tracks.map((t) => t.id)).toEqual(['a', 'c']);
    const d2 = edits.rename(d1, 'b', '  Voice  ');
    expect(d2.tracks[1]!.name).toBe('Voice');
    expect(edits.rename(d2, 'b', '   ')).toBe(d2);
    expect(edits.rename(d2, 'b', ' Voice ')).toBe(d2); // the same name: no new document, so no undo step
    expect(edits.setGain(d2, 'a', 99).tracks[0]!.gainDb).toBe(24);
    expect(edits.setGain(d2, 'a', Number.NaN).tracks[0]!.gainDb).toBe(0);
    expect(edits.setColour(d2, 'a', 'red')).toBe(d2);
    expect(edits.remove(d2, 'b').tracks.map((t) => t.id)).toEqual(['a', 'c']);
    expect(edits.replaceAudio(d2, 'c', 'blob-new-0001', 100).tracks[2]!.blob).toBe('blob-new-0001');
  });

  it('refuses the track that would make the project unsavable, counting what running jobs will add', () => {
    const full = edits.addTracks(EMPTY_PROJECT, Array.from({ length: MAX_TRACKS - 2 }, (_, i) => track(`t${i}`)));
    expect(ProjectDoc.safeParse(full).success).toBe(true);
    expect(tracksWontFit(full, 2)).toBeNull();
    expect(tracksWontFit(full, 1, 1)).toBeNull();
    const split = tracksWontFit(full, 2, 1); // a split while an upsample is still running
    expect(split).toContain(`at most ${MAX_TRACKS} tracks; this one has ${MAX_TRACKS - 2} (1 more will come from the jobs that are running), so there is room for 1 more`);
    expect(split).toContain('Delete tracks you no longer need');
    // what it guards against: one track more and the document no longer saves
    const over = edits.addTracks(full, [track('a'), track('b'), track('c')]);
    expect(ProjectDoc.safeParse(over).success).toBe(false);
    expect(tracksWontFit(over, 1)).toContain('room for 0 more');
  });

  it('solo wins over mute', () => {
    let d = edits.addTracks(EMPTY_PROJECT, [track('a'), track('b'), track('c')]);
    d = edits.setMuted(d, 'a', true);
    expect([...audibleTrackIds(d)]).toEqual(['b', 'c']);
    d = edits.setSolo(d, 'a', true);
    expect([...audibleTrackIds(d)]).toEqual(['a']);
  });
});

describe('history', () => {
  it('tracks that arrive while an edit is undone (a job result) keep the redo branch, and are in it', () => {
    const d0 = edits.addTracks(EMPTY_PROJECT, [track('a')]);
    const d1 = edits.rename(d0, 'a', 'accepted fill'); // the edit the user undid to compare
    let h = undo(pushHistory(initHistory(d0), d1));
    expect(canRedo(h)).toBe(true);
    h = pushBesideFuture(h, (d) => edits.addTracks(d, [track('stem')], 'a'));
    expect(h.present.tracks.map((t) => t.id)).toEqual(['a', 'stem']);
    h = redo(h);
    expect(h.present.tracks.map((t) => [t.id, t.name])).toEqual([['a', 'accepted fill'], ['stem', 'stem']]);
    expect(undo(undo(h)).present).toBe(d0); // undoing past the arrival takes the tracks away again
    // a redo state the tracks would not fit into drops the branch (as any edit does)
    const h2 = pushBesideFuture(undo(pushHistory(initHistory(d0), d1)), (d) => edits.addTracks(d, [track('x')]), (d) => d !== d1);
    expect(canRedo(h2)).toBe(false);
  });

  it('undoes and redoes exactly, and a new edit drops the redo branch', () => {
    let h = initHistory(1);
    h = pushHistory(h, 2);
    h = pushHistory(h, 3);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(2);
    h = undo(h);
    expect(h.present).toBe(1);
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(2);
    expect(canRedo(h)).toBe(true);
    h = pushHistory(h, 9);
    expect(canRedo(h)).toBe(false);
    expect(h.past).toEqual([1, 2]);
  });
  it('is bounded', () => {
    let h = initHistory(0);
    for (let i = 1; i <= 10; i++) h = pushHistory(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });
});
