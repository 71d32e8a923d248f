// Stacked, labelled spectrogram pictures (PNG) for the evaluation: one panel per signal, a label
// strip above each, a shared colour scale (so louder / quieter bands compare across panels).
import { writeFileSync } from 'node:fs';
import { spectrogram, colourise } from '../../src-shared/audio/spectrogram';
import { encodePng } from '../../src-main/io/png';
import { drawText } from './font5x7';

export interface Panel {
  label: string;
  samples: Float32Array;
  sampleRate: number;
}

export interface PictureOptions {
  width?: number;
  rows?: number;
  /** dB range below the loudest cell of all panels. */
  rangeDb?: number;
  title?: string;
}

const LABEL_H = 18;

/** Render panels top to bottom; returns PNG bytes. */
export function stackedSpectrogramPng(panels: Panel[], opts: PictureOptions = {}): Uint8Array {
  const width = opts.width ?? 800;
  const rows = opts.rows ?? 160;
  const rangeDb = opts.rangeDb ?? 90;
  const specs = panels.map((p) =>
    spectrogram(p.samples.length ? p.samples : new Float32Array(1), { sampleRate: p.sampleRate, columns: width, rows, fftSize: 512, minHz: 40, floorDb: -140 }),
  );
  let ceil = -Infinity;
  for (const s of specs) for (const v of s.db) if (v > ceil) ceil = v;
  if (!Number.isFinite(ceil)) ceil = 0;
  const titleH = opts.title ? LABEL_H : 0;
  const height = titleH + panels.length * (LABEL_H + rows);
  const img = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    img[i * 4] = 24;
    img[i * 4 + 1] = 24;
    img[i * 4 + 2] = 24;
    img[i * 4 + 3] = 255;
  }
  // scale 2 (12 px per character) when the text fits, else scale 1
  const fit = (t: string) => (t.length * 12 <= width - 8 ? 2 : 1);
  if (opts.title) drawText(img, width, height, opts.title, 4, fit(opts.title) === 2 ? 2 : 5, fit(opts.title), [255, 230, 120]);
  specs.forEach((s, k) => {
    const y0 = titleH + k * (LABEL_H + rows);
    const nyq = panels[k]!.sampleRate / 2;
    const label = `${panels[k]!.label}  (40 HZ - ${(nyq / 1000).toFixed(nyq % 1000 ? 1 : 0)} KHZ, LOG)`;
    drawText(img, width, height, label, 4, y0 + (fit(label) === 2 ? 2 : 5), fit(label));
    const rgba = colourise(s, ceil - rangeDb, ceil);
    img.set(rgba, (y0 + LABEL_H) * width * 4);
  });
  return encodePng(width, height, img);
}

export function writeStackedSpectrogram(path: string, panels: Panel[], opts: PictureOptions = {}): void {
  writeFileSync(path, stackedSpectrogramPng(panels, opts));
}
