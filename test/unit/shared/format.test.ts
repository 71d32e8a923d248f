import { describe, expect, it } from 'vitest';
import { formatChannels, formatDuration, formatRate } from '../../../src-shared/audio/format';

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(3.25)).toBe('0:03.250');
    expect(formatDuration(0)).toBe('0:00.000');
    expect(formatDuration(-1)).toBe('0:00.000');
    expect(formatDuration(Number.NaN)).toBe('0:00.000');
    expect(formatDuration(59.9996)).toBe('1:00.000');
    expect(formatDuration(3725.5)).toBe('1:02:05.500');
    expect(formatDuration(61.5, 1)).toBe('1:01.5');
  });
  it('formats rates and channels', () => {
    expect(formatRate(44100)).toBe('44.1 kHz');
    expect(formatRate(22050)).toBe('22.05 kHz');
    expect(formatRate(8000)).toBe('8 kHz');
    expect(formatRate(11025)).toBe('11.025 kHz');
    expect(formatChannels(1)).toBe('mono');
    expect(formatChannels(2)).toBe('stereo');
    expect(formatChannels(6)).toBe('6 ch');
  });
});

import { formatEta } from '../../../src-shared/audio/format';
describe('formatEta', () => {
  it('rounds up and never shows 60 s', () => {
    expect(formatEta(12.2)).toBe('13 s');
    expect(formatEta(59.5)).toBe('1 min 0 s');
    expect(formatEta(125)).toBe('2 min 5 s');
    expect(formatEta(null)).toBe('…');
    expect(formatEta(Number.NaN)).toBe('…');
  });
});

describe('formatBytes', () => {
  it('uses decimal units with at most one decimal below 100', async () => {
    const { formatBytes } = await import('../../../src-shared/audio/format');
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(635_000_000)).toBe('635 MB');
    expect(formatBytes(2_340_000_000)).toBe('2.3 GB');
    expect(formatBytes(Number.NaN)).toBe('0 bytes');
  });
});
