// Mounts one peaks.js instance (zoom view + overview) for a track, driven by the shared
// transport's player adapter. Used as a Svelte attachment: returns its own cleanup.
import Peaks, { type PeaksInstance, type PeaksOptions } from 'peaks.js';
import type { Track } from './project.svelte';
import type { Transport } from './transport.svelte';

export interface PeaksMount {
  track: Track;
  transport: Transport;
  color: string;
  onReady(instance: PeaksInstance): void;
  onError(message: string): void;
}

export function mountPeaks(opts: PeaksMount) {
  return (node: HTMLElement) => {
    const zoomview = node.querySelector<HTMLElement>('.zoomview');
    const overview = node.querySelector<HTMLElement>('.overview');
    if (!zoomview || !overview) return;
    let instance: PeaksInstance | null = null;
    let destroyed = false;
    const wf = opts.track.audio.waveform.bytes;
    const options: PeaksOptions = {
      zoomview: { container: zoomview, waveformColor: opts.color, playheadColor: '#ffd166', axisLabelColor: '#9aa3b2', axisGridlineColor: '#2c313c', wheelMode: 'none' },
      overview: { container: overview, waveformColor: opts.color, playheadColor: '#ffd166', axisLabelColor: '#9aa3b2', axisGridlineColor: '#2c313c', highlightColor: '#8899aa' } as PeaksOptions['overview'],
      player: opts.transport.adapter(),
      waveformData: { arraybuffer: wf.buffer.slice(wf.byteOffset, wf.byteOffset + wf.byteLength) as ArrayBuffer },
      keyboard: false,
      showPlayheadTime: false,
      // peaks.js cannot zoom finer than the summary's own scale
      zoomLevels: [1, 2, 4, 8, 16, 32, 64, 128].map((k) => k * opts.track.audio.waveform.samplesPerPixel),
      logger: (...args: unknown[]) => console.warn('[peaks]', ...args),
    };
    Peaks.init(options, (err, peaks) => {
      if (destroyed) {
        peaks?.destroy();
        return;
      }
      if (err || !peaks) {
        opts.onError(err ? err.message : 'the waveform view could not start');
        return;
      }
      instance = peaks;
      opts.onReady(peaks);
    });
    return () => {
      destroyed = true;
      instance?.destroy();
      instance = null;
    };
  };
}
