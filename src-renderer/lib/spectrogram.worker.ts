// Computes spectrogram pictures off the UI thread.
import { colourise, spectrogramOfFrames } from '../../src-shared/audio/spectrogram';

export interface SpectrogramJob {
  id: number;
  frames: Float32Array;
  fftSize: number;
  sampleRate: number;
  columns: number;
  rows: number;
}

export interface SpectrogramReply {
  id: number;
  rows: number;
  columns: number;
  minHz: number;
  maxHz: number;
  rgba: Uint8ClampedArray;
}

self.onmessage = (ev: MessageEvent<SpectrogramJob>) => {
  const { id, frames, fftSize, sampleRate, columns, rows } = ev.data;
  const spec = spectrogramOfFrames(frames, { sampleRate, columns, rows, fftSize });
  const rgba = colourise(spec, -100, -10);
  const reply: SpectrogramReply = { id, rows, columns, minHz: spec.minHz, maxHz: spec.maxHz, rgba };
  (self as unknown as Worker).postMessage(reply, [rgba.buffer]);
};
