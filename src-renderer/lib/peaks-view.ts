// Mounts one peaks.js instance (zoom view + overview) for a lane, driven by the shared
// transport's player adapter. Used as a Svelte attachment: returns its own cleanup.
import Peaks, { type PeaksInstance, type PeaksOptions, type PlayerAdapter } from 'peaks.js';
import type { WaveformSummary } from '../../src-shared/audio/waveform';
import type { Transport } from './transport.svelte';

export interface PeaksMount {
  waveform: WaveformSummary;
  transport: Transport;
  colour: string;
  onReady(instance: PeaksInstance): void;
  onError(message: string): void;
}

/** waveform-data bytes as the standalone ArrayBuffer peaks.js wants. */
export function waveformBuffer(w: WaveformSummary): ArrayBuffer {
  return w.bytes.buffer.slice(w.bytes.byteOffset, w.bytes.byteOffset + w.bytes.byteLength) as ArrayBuffer;
}

/** peaks.js cannot zoom finer than the summary's own scale. */
export function zoomLevelsFor(w: WaveformSummary): number[] {
  return [1, 2, 4, 8, 16, 32, 64, 128].map((k) => k * w.samplesPerPixel);
}

export function mountPeaks(opts: PeaksMount) {
  return (node: HTMLElement) => {
    const zoomview = node.querySelector<HTMLElement>('.zoomview');
    const overview = node.querySelector<HTMLElement>('.overview');
    if (!zoomview || !overview) return;
    let instance: PeaksInstance | null = null;
    let destroyed = false;
    // peaks.setSource() asks the player to load media; ours plays from the shared transport.
    const player = { ...opts.transport.adapter(), setSource: () => Promise.resolve() } as PlayerAdapter;
    const colours = { waveformColor: opts.colour, playheadColor: '#ffd166', axisLabelColor: '#9aa3b2', axisGridlineColor: '#2c313c' };
    const options: PeaksOptions = {
      zoomview: { container: zoomview, ...colours, wheelMode: 'scroll' },
      overview: { container: overview, ...colours, highlightColor: '#8899aa' } as PeaksOptions['overview'],
      player,
      waveformData: { arraybuffer: waveformBuffer(opts.waveform) },
      keyboard: false,
      showPlayheadTime: false,
      zoomLevels: zoomLevelsFor(opts.waveform),
      segmentOptions: { overlay: true, overlayColor: '#ffd166', overlayOpacity: 0.25, overlayBorderColor: '#ffd166', overlayOffset: 0 } as PeaksOptions['segmentOptions'],
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
