import { describe, expect, it } from 'vitest';
import { matchLoudness } from '../src/lib/loudness';
import { nextSource, playerSources, sourceForKey } from '../src/lib/player';
import type { Report } from '../src/lib/types';

// The fields the player reads; values as a real report of the demo song has them.
function report(previews?: Report['previews']): Report {
  return {
    mix: { integrated_lufs: -20.1, waveform_peaks: [0.5, 1, null] },
    master: { integrated_lufs: -14.0, waveform_peaks: [0.8, 0.9] },
    previews,
  } as unknown as Report;
}

const previews = {
  stems: { file: 'stems_preview.ogg', gain_db: -6.1, source_lufs: -9.2, lufs: -15.3, true_peak_dbtp: -1.4 },
  mix: { file: 'mix_preview.ogg', gain_db: -0.4, source_lufs: null, lufs: -20.5, true_peak_dbtp: -2.2 },
  master: { file: 'preview.ogg', gain_db: -2.0, source_lufs: null, lufs: -16.0, true_peak_dbtp: -1.3 },
};

describe('playerSources', () => {
  it('is A = raw stem sum, B = mix, C = master, each from its compressed preview', () => {
    const s = playerSources(report(previews));
    expect(s.map((x) => [x.key, x.id, x.kind])).toEqual([
      ['A', 'stems', 'stems_preview'],
      ['B', 'mix', 'mix_preview'],
      ['C', 'master', 'preview'],
    ]);
    // Never the 24-bit WAV.
    expect(s.some((x) => x.kind === 'mix' || x.kind === 'master')).toBe(false);
  });

  it('carries the loudness measured on each preview, so all three match to one LUFS', () => {
    const s = playerSources(report(previews));
    expect(s.map((x) => x.lufs)).toEqual([-15.3, -20.5, -16.0]);
    // Labels show each one's own loudness (the sum before the preview gain, the mix, the master).
    expect(s.map((x) => x.sourceLufs)).toEqual([-9.2, -20.1, -14.0]);
    const m = matchLoudness(s.map((x) => ({ id: x.id, lufs: x.lufs })));
    expect(m.referenceLufs).toBe(-20.5);
    for (const g of m.gains) expect(g.lufs! + g.gainDb).toBeCloseTo(-20.5, 9);
  });

  it('lowers the waveform peaks by the preview gain', () => {
    const mix = playerSources(report(previews))[1];
    expect(mix.peaks[0]).toBeCloseTo(0.5 * Math.pow(10, -0.4 / 20), 9);
    expect(mix.peaks[2]).toBeNull();
  });

  it('without a stem sum (master-only job) is A = mix, B = master', () => {
    const s = playerSources(report({ mix: previews.mix, master: previews.master }));
    expect(s.map((x) => [x.key, x.id])).toEqual([
      ['A', 'mix'],
      ['B', 'master'],
    ]);
  });

  it('falls back to the mix WAV and master preview for a report without previews', () => {
    const s = playerSources(report());
    expect(s.map((x) => [x.id, x.kind, x.lufs])).toEqual([
      ['mix', 'mix', -20.1],
      ['master', 'preview', -14.0],
    ]);
  });
});

describe('keys', () => {
  it('maps A/B/C to sources and X cycles', () => {
    const s = playerSources(report(previews));
    expect(sourceForKey(s, 'a')).toBe('stems');
    expect(sourceForKey(s, 'C')).toBe('master');
    expect(sourceForKey(s, 'd')).toBeUndefined();
    expect(nextSource(s, 'stems')).toBe('mix');
    expect(nextSource(s, 'master')).toBe('stems');
  });
});
