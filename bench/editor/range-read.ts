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
    const formats: [AudioFormat, string[]][] = [
      ['wav', []],
      ['flac', ['-c:a', 'flac']],
      ['mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']],
      ['ogg', ['-c:a', 'libvorbis', '-q:a', '5']],
    ];
    for (const [format, args] of formats) {
      const file = format === 'wav' ? src : join(dir, `noise.${format}`);
      if (format !== 'wav') execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, ...args, file]);
      // import: the file is decoded whole once (the editor shows it), then stored as it is
      let t0 = performance.now();
      const whole = await decodeAudioFile(file);
      const tWhole = seconds(t0);
      const frames = whole.channels[0]!.length;
      const store = new ProjectStore(join(dir, `project-${format}`));
      const id = await store.putSource({ kind: 'path', path: file }, format, { sampleRate: whole.sampleRate, channelCount: whole.channels.length, frames });
      whole.channels.length = 0; // (let it go before the reads)
      const at = Math.floor(frames / 2);
      t0 = performance.now();
      await store.getAudioRange(id, at, at + 2 * 44100);
      const tFirst = seconds(t0);
      t0 = performance.now();
      await store.getAudioRange(id, at + 10 * 44100, at + 12 * 44100);
      const tNext = seconds(t0);
      const mb = (statSync(file).size / 2 ** 20).toFixed(0);
      rows.push(`| ${format} (${mb} MB) | ${tWhole} s | ${tFirst} s | ${tNext} s | ${store.wholeDecodesForStretches} |`);
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
    'decode sliced (`test/unit/io/compressed-range.test.ts`). Before session 7 only WAV was: the others were decoded whole for the',
    'first stretch (as long as the import\'s decode, or longer) and kept for 2 minutes; that is still what happens to a low-rate',
    '(MPEG-2) MP3 and to any file whose whole decode came out shorter than its header promises (a damaged file).',
    '',
  ].join('\n');
  writeFileSync(resolve(HERE, 'range-read.md'), md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
