// One decode job: read/decode + waveform summary. Runs inside the decode worker (and inline
// when no worker can be started from source, see decode-pool.ts).

import { basename } from 'node:path';
import { summarize, type WaveformSummary } from '../../src-shared/audio/waveform';
import { decodeAudioBytes, decodeAudioFile, type DecodedAudio } from './decode';

export type DecodeRequest = { kind: 'path'; path: string } | { kind: 'bytes'; name: string; bytes: Uint8Array };

export type DecodeJobResult = DecodedAudio & { waveform: WaveformSummary; name: string };


export async function runDecodeJob(request: DecodeRequest): Promise<DecodeJobResult> {
  const name = request.kind === 'path' ? basename(request.path) : basename(request.name);
  const decoded = request.kind === 'path' ? await decodeAudioFile(request.path) : await decodeAudioBytes(request.bytes, name);
  const waveform = summarize(decoded.channels, decoded.sampleRate);
  return { ...decoded, waveform, name };
}

/** The ArrayBuffers to transfer (not copy) when posting a result: each one once. */
export function transferablesOf(r: DecodeJobResult): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const c of r.channels) if (c.buffer instanceof ArrayBuffer) set.add(c.buffer);
  if (r.waveform.bytes.buffer instanceof ArrayBuffer) set.add(r.waveform.bytes.buffer);
  return [...set];
}
