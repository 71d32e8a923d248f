// One shared spectrogram worker for the UI. The UI thread only picks the analysis frames
// (columns x fftSize samples, cheap for any clip length); the worker does the FFTs.
import { extractFrames } from '../../src-shared/audio/spectrogram';
import type { SpectrogramJob, SpectrogramReply } from './spectrogram.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (r: SpectrogramReply) => void>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./spectrogram.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<SpectrogramReply>) => {
      waiting.get(ev.data.id)?.(ev.data);
      waiting.delete(ev.data.id);
    };
  }
  return worker;
}

export function requestSpectrogram(channels: Float32Array[], sampleRate: number, columns: number, rows: number): Promise<SpectrogramReply> {
  const fftSize = sampleRate > 24000 ? 2048 : 1024;
  const frames = extractFrames(channels, columns, fftSize);
  const id = nextId++;
  const job: SpectrogramJob = { id, frames, fftSize, sampleRate, columns, rows };
  return new Promise((ok) => {
    waiting.set(id, ok);
    getWorker().postMessage(job, [frames.buffer]);
  });
}
