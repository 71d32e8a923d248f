// Every real recording in ../shared/eval decodes with the rate, channel count and length that
// ffprobe/ffmpeg report, and with the same samples as ffmpeg's decoder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile, mp3GaplessInfo, sniffFormat } from '../../../src-main/io/decode';
import { EVAL_DIR, ffmpegDecode, ffprobe, requireEvalDir, requireTool } from './helpers';

function listEval(): string[] {
  requireEvalDir();
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (!f.toLowerCase().endsWith('.md')) out.push(p);
    }
  };
  walk(EVAL_DIR);
  return out;
}

describe('eval recordings', () => {
  it('has the eval folder and the tools', () => {
    requireEvalDir();
    requireTool('ffprobe');
    requireTool('ffmpeg');
    expect(listEval().length).toBeGreaterThanOrEqual(9);
  });

  const files = (() => {
    try {
      return listEval();
    } catch {
      return ['<missing eval folder>'];
    }
  })();

  it.each(files.map((f) => [f.slice(EVAL_DIR.length + 1), f]))('%s matches ffprobe and ffmpeg', async (_label, path) => {
    requireEvalDir();
    requireTool('ffprobe');
    const probe = ffprobe(path);
    const d = await decodeAudioFile(path);
    expect(d.sampleRate).toBe(probe.sampleRate);
    expect(d.channels.length).toBe(probe.channels);
    const frames = d.channels[0]!.length;
    for (const c of d.channels) expect(c.length).toBe(frames);
    expect(d.warnings ?? []).toEqual([]);

    const bytes = readFileSync(path);
    expect(sniffFormat(bytes)).toBe(d.format);
    const ref = ffmpegDecode(path);
    const refFrames = ref.length / probe.channels;
    if (probe.codec === 'mp3') {
      // ffprobe's container duration counts the encoder delay and padding (it is
      // frames * 1152 / rate); ffmpeg's decoder, like ours, trims them (gapless).
      const g = mp3GaplessInfo(bytes)!;
      expect(g).not.toBeNull();
      const untrimmed = g.frames! * g.samplesPerFrame;
      expect(Math.abs(probe.duration * probe.sampleRate - untrimmed)).toBeLessThanOrEqual(1);
      expect(frames).toBe(untrimmed - g.delay - g.padding);
    } else {
      expect(Math.abs(frames - probe.duration * probe.sampleRate)).toBeLessThanOrEqual(1);
    }
    expect(frames).toBe(refFrames);

    // Same samples as ffmpeg (alignment and channel order): SNR against ffmpeg's decode.
    let sig = 0;
    let err = 0;
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < probe.channels; c++) {
        const r = ref[i * probe.channels + c]!;
        sig += r * r;
        err += (r - d.channels[c]![i]!) ** 2;
      }
    }
    const snr = 10 * Math.log10(sig / Math.max(err, 1e-30));
    expect(snr).toBeGreaterThan(probe.codec === 'vorbis' || probe.codec === 'mp3' ? 60 : 90);
  });
});
