// What a fill in a long track costs the main side to read: the project store's stretch read
// (getAudioRange, 2 s around a gap) against decoding the whole file, per stored format.
//   npx tsx bench/editor/range-read.ts [--minutes=60]   (needs ffmpeg; writes bench/editor/range-read.md)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudioFile, type AudioFormat } from '../../src-main/io/decode';
import { ProjectStore } from '../../src-main/project/store';

const HERE = dirname(fileURLToPath(import.meta.url));
const minutes = Number(process.argv.find((a) => a.startsWith('--minutes='))?.split('=')[1] ?? 60);
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pnf-range-bench-'));
  const rows: string[] = [];
  try {
    const src = join(dir, 'noise.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=d=${minutes * 60}:c=pink:a=0.2,aformat=channel_layouts=stereo`, '-ar', '44100', '-sample_fmt', 's16', src]);
    const formats: [string, AudioFormat, string[]][] = [
      ['wav', 'wav', []],
      ['flac', 'flac', ['-c:a', 'flac']],
      ['mp3', 'mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']],
      ['mp3, MPEG-2 22.05 kHz mono 64 kbit/s (a spoken-word podcast)', 'mp3', ['-ar', '22050', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k']],
      ['ogg', 'ogg', ['-c:a', 'libvorbis', '-q:a', '5']],
    ];
    for (const [label, format, args] of formats) {
      const file = format === 'wav' ? src : join(dir, `noise-${rows.length}.${format}`);
      if (format !== 'wav') execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, ...args, file]);
      // import: the file is decoded whole once (the editor shows it), then stored as it is
      let t0 = performance.now();
      const whole = await decodeAudioFile(file);
      const tWhole = seconds(t0);
      const frames = whole.channels[0]!.length;
      const store = new ProjectStore(join(dir, `project-${rows.length}`));
      const id = await store.putSource({ kind: 'path', path: file }, format, { sampleRate: whole.sampleRate, channelCount: whole.channels.length, frames });
      whole.channels.length = 0; // (let it go before the reads)
      const at = Math.floor(frames / 2);
      const sr = whole.sampleRate;
      t0 = performance.now();
      await store.getAudioRange(id, at, at + 2 * sr);
      const tFirst = seconds(t0);
      t0 = performance.now();
      await store.getAudioRange(id, at + 10 * sr, at + 12 * sr);
      const tNext = seconds(t0);
      const mb = (statSync(file).size / 2 ** 20).toFixed(0);
      rows.push(`| ${label} (${mb} MB) | ${tWhole} s | ${tFirst} s | ${tNext} s | ${store.wholeDecodesForStretches} |`);
      console.log(rows.at(-1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const md = [
    '# Reading the audio around a fill in a long track (main side)',
    '',
    `Command: \`npx tsx bench/editor/range-read.ts --minutes=${minutes}\`. ${minutes} min of stereo 44.1 kHz pink noise, stored as each format;`,
    'the project store reads 2 s in the middle (a fill\'s context), then 2 s ten seconds later.',
    `Date: ${new Date().toISOString()}; machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}; other jobs may share the CPUs.`,
    '',
    '| stored as | decode whole (import) | first stretch | next stretch | whole decodes for stretches |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Stretches of WAV, FLAC, Ogg Vorbis and MPEG-1 Layer III MP3 (32/44.1/48 kHz) are read on their own, bit-identical to the whole',
    'decode sliced; low-rate MPEG-2/2.5 MP3s (8-24 kHz) too, equal but for a float\'s last bits (within 1e-7; session 9)',
    '(`test/unit/io/compressed-range.test.ts`). Before session 7 only WAV was: the others were decoded whole for the first',
    'stretch (as long as the import\'s decode, or longer) and kept for 2 minutes; before session 9 so was a low-rate MP3. That',
    'is still what happens to any file whose whole decode came out shorter than its header promises (a damaged file).',
    '',
  ].join('\n');
  writeFileSync(resolve(HERE, 'range-read.md'), md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
