// Log-frequency spectrogram as a pure function (runs in a Web Worker in the UI, in Node
// for evaluation pictures). Output: rows x cols magnitudes in dB, row 0 = lowest band.

/** In-place iterative radix-2 FFT. re/im length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new Error('fft size must be a power of two');
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

export interface SpectrogramOptions {
  sampleRate: number;
  fftSize?: number;
  /** Number of output columns (time frames); samples are spread evenly over the clip. */
  columns: number;
  /** Number of log-spaced frequency rows. */
  rows?: number;
  minHz?: number;
  /** Floor in dB (relative to full scale). */
  floorDb?: number;
}

export interface Spectrogram {
  rows: number;
  columns: number;
  minHz: number;
  maxHz: number;
  /** rows * columns dB values, row-major, row 0 = lowest frequency. */
  db: Float32Array;
}

/** Frequency (Hz) at the centre of a row of a log-frequency spectrogram. */
export function rowFrequency(row: number, rows: number, minHz: number, maxHz: number): number {
  return minHz * Math.pow(maxHz / minHz, (row + 0.5) / rows);
}

/**
 * The analysis frames a spectrogram needs: `columns` frames of `fftSize` samples, centred
 * evenly over the clip, mixed to mono. Cheap (columns x fftSize reads), so the UI thread can
 * do it and hand only these to a worker, however long the clip.
 */
export function extractFrames(channels: Float32Array[], columns: number, fftSize: number): Float32Array {
  const cols = Math.max(1, Math.floor(columns));
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(cols * fftSize);
  const gain = 1 / Math.max(1, channels.length);
  for (let c = 0; c < cols; c++) {
    const centre = cols === 1 ? n / 2 : (c / (cols - 1)) * n;
    const start = Math.round(centre - fftSize / 2);
    for (const ch of channels) {
      for (let i = 0; i < fftSize; i++) {
        const k = start + i;
        if (k < 0 || k >= n) continue;
        const v = ch[k]!;
        if (Number.isFinite(v)) out[c * fftSize + i]! += v * gain;
      }
    }
  }
  return out;
}

export function spectrogram(samples: Float32Array, opts: SpectrogramOptions): Spectrogram {
  const fftSize = opts.fftSize ?? 1024;
  return spectrogramOfFrames(extractFrames([samples], opts.columns, fftSize), { ...opts, fftSize });
}

/** Spectrogram of frames laid out by extractFrames (columns x fftSize). */
export function spectrogramOfFrames(frames: Float32Array, opts: SpectrogramOptions): Spectrogram {
  const fftSize = opts.fftSize ?? 1024;
  const rows = opts.rows ?? 160;
  const columns = Math.max(1, Math.floor(opts.columns));
  if (frames.length !== columns * fftSize) throw new Error('frames must hold columns x fftSize samples');
  const nyquist = opts.sampleRate / 2;
  const minHz = Math.min(opts.minHz ?? 40, nyquist / 4);
  const maxHz = nyquist;
  const floor = opts.floorDb ?? -100;
  const db = new Float32Array(rows * columns).fill(floor);
  const win = new Float64Array(fftSize);
  let wsum = 0;
  for (let i = 0; i < fftSize; i++) {
    win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize);
    wsum += win[i]!;
  }
  // Each row covers [lo, hi) in FFT bins; narrow rows at low frequencies interpolate.
  const binHz = opts.sampleRate / fftSize;
  const edges = Array.from({ length: rows + 1 }, (_, r) => (minHz * Math.pow(maxHz / minHz, r / rows)) / binHz);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const mag = new Float64Array(fftSize / 2 + 1);
  for (let c = 0; c < columns; c++) {
    for (let i = 0; i < fftSize; i++) {
      re[i] = frames[c * fftSize + i]! * win[i]!;
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k <= fftSize / 2; k++) mag[k] = (2 * Math.hypot(re[k]!, im[k]!)) / wsum;
    for (let r = 0; r < rows; r++) {
      const lo = edges[r]!;
      const hi = edges[r + 1]!;
      let m = 0;
      if (hi - lo < 1) {
        const x = (lo + hi) / 2;
        const k0 = Math.floor(x);
        const t = x - k0;
        m = (mag[k0] ?? 0) * (1 - t) + (mag[k0 + 1] ?? 0) * t;
      } else {
        for (let k = Math.ceil(lo); k < Math.min(hi, fftSize / 2 + 1); k++) m = Math.max(m, mag[k]!);
      }
      db[r * columns + c] = Math.max(floor, 20 * Math.log10(m + 1e-12));
    }
  }
  return { rows, columns, minHz, maxHz, db };
}

/** Map dB to an RGBA colour (dark blue -> magenta -> yellow), for pictures and the UI. */
export function colourise(spec: Spectrogram, floorDb = -100, ceilDb = 0): Uint8ClampedArray {
  const out = new Uint8ClampedArray(spec.rows * spec.columns * 4);
  for (let r = 0; r < spec.rows; r++) {
    const y = spec.rows - 1 - r; // high frequencies at the top
    for (let c = 0; c < spec.columns; c++) {
      const v = Math.min(1, Math.max(0, (spec.db[r * spec.columns + c]! - floorDb) / (ceilDb - floorDb)));
      const i = (y * spec.columns + c) * 4;
      out[i] = Math.round(255 * Math.min(1, v * 1.6));
      out[i + 1] = Math.round(255 * Math.max(0, v * 1.8 - 0.8));
      out[i + 2] = Math.round(255 * (v < 0.5 ? 0.25 + v : Math.max(0, 1.5 - 1.8 * v)));
      out[i + 3] = 255;
    }
  }
  return out;
}
