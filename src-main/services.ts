// Main-side services behind the IPC contract, shared by the Electron host and the web host.
import { basename } from 'node:path';
import type { AppInfo } from '../src-shared/ipc/contract';
import type { Handlers } from './ipc/dispatch';
import { decodeOffThread } from './io/decode-pool';
import { CodedError } from '../src-shared/ipc/result';

export const SUPPORTED_FORMATS = ['wav', 'flac', 'mp3', 'ogg'];

export function createHandlers(opts: { host: AppInfo['host']; version: string }): Handlers {
  return {
    'app:info': async () => ({
      name: 'PnF Studio',
      version: opts.version,
      host: opts.host,
      platform: process.platform,
      formats: SUPPORTED_FORMATS,
    }),
    'audio:import': async (req) => {
      // A browser page must not make the web host read arbitrary local paths.
      if (req.kind === 'path' && opts.host !== 'electron') {
        throw new CodedError('FORBIDDEN', 'The web host opens uploaded files only; use Open… or drop the file.');
      }
      const decoded = await decodeOffThread(req);
      const name = req.kind === 'path' ? basename(req.path) : basename(req.name);
      const frames = decoded.channels[0]?.length ?? 0;
      return {
        name,
        format: decoded.format,
        sampleRate: decoded.sampleRate,
        channelCount: decoded.channels.length,
        frames,
        durationSeconds: frames / decoded.sampleRate,
        channels: decoded.channels,
        waveform: decoded.waveform,
      };
    },
  };
}
