import { describe, it, expect } from 'vitest';
import { inflateSync } from 'node:zlib';
import { encodePng, readPngHeader, crc32 } from '../../../src-main/io/png';
import { stackedSpectrogramPng } from '../../../bench/eval/picture';

describe('PNG encoder', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('encodes RGBA pixels that decode back exactly', () => {
    const w = 3, h = 2;
    const px = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37) & 255);
    const png = encodePng(w, h, px);
    const info = readPngHeader(png);
    expect(info).toMatchObject({ width: 3, height: 2, bitDepth: 8, colourType: 6, chunks: ['IHDR', 'IDAT', 'IEND'] });
    // IDAT starts at 8 + 25 (signature + IHDR chunk)
    const dv = new DataView(png.buffer, png.byteOffset);
    const len = dv.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + len));
    expect(raw.length).toBe(h * (w * 4 + 1));
    for (let y = 0; y < h; y++) {
      expect(raw[y * (w * 4 + 1)]).toBe(0);
      expect(Array.from(raw.subarray(y * (w * 4 + 1) + 1, (y + 1) * (w * 4 + 1)))).toEqual(Array.from(px.subarray(y * w * 4, (y + 1) * w * 4)));
    }
  });

  it('rejects bad sizes and detects corruption', () => {
    expect(() => encodePng(0, 1, new Uint8Array(0))).toThrow();
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow();
    const png = encodePng(1, 1, Uint8Array.from([1, 2, 3, 255]));
    const bad = png.slice();
    bad[20] ^= 1;
    expect(() => readPngHeader(bad)).toThrow(/CRC/);
  });

  it('stacked spectrogram picture is a valid PNG of the expected size', () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i * 0.2));
    const png = stackedSpectrogramPng([{ label: 'input', samples: x, sampleRate: 16000 }, { label: 'Truth: 1.0 s', samples: x, sampleRate: 16000 }], { width: 200, rows: 40, title: 'test' });
    const info = readPngHeader(png);
    expect(info.width).toBe(200);
    expect(info.height).toBe(18 + 2 * (18 + 40));
  });
});
