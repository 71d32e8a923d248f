// Pure formatting helpers for what the UI shows. Tested in test/unit/shared.

/** 3.25 -> "0:03.250"; 3725.5 -> "1:02:05.500". Negative or non-finite -> "0:00.000". */
export function formatDuration(seconds: number, decimals = 3): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const scale = 10 ** decimals;
  const totalUnits = Math.round(s * scale);
  const whole = Math.floor(totalUnits / scale);
  const frac = totalUnits - whole * scale;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  const fracStr = decimals > 0 ? '.' + String(frac).padStart(decimals, '0') : '';
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? h + ':' : ''}${mm}:${String(sec).padStart(2, '0')}${fracStr}`;
}

/** 44100 -> "44.1 kHz"; 22050 -> "22.05 kHz"; 8000 -> "8 kHz". */
export function formatRate(hz: number): string {
  const k = hz / 1000;
  return `${Number.isInteger(k) ? k : Number(k.toFixed(3))} kHz`;
}

export function formatChannels(n: number): string {
  if (n === 1) return 'mono';
  if (n === 2) return 'stereo';
  return `${n} ch`;
}

/** Time left for a job: 12.2 -> "13 s", 125 -> "2 min 5 s", null -> "…". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '…';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s`;
}

/** A size for labels and messages: 1 -> "1 byte"; 999 -> "999 bytes"; 1_500 -> "1.5 kB"; 635_000_000 -> "635 MB" (decimal units). */
export function formatBytes(n: number): string {
  const b = Number.isFinite(n) && n > 0 ? n : 0;
  if (b < 1000) return `${Math.round(b)} byte${Math.round(b) === 1 ? '' : 's'}`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let u = 0;
  let v = b;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const shown = u === 0 || v >= 100 ? Math.round(v) : Number(v.toFixed(1));
  return `${shown} ${units[u]}`;
}
