import { describe, expect, it } from 'vitest';
import { MAX_CUT_DB, dbToLinear, matchLoudness } from '../src/lib/loudness';

describe('matchLoudness', () => {
  it('brings every source down to the quietest one', () => {
    const r = matchLoudness([
      { id: 'mix', lufs: -19 },
      { id: 'master', lufs: -10 },
    ]);
    expect(r.referenceLufs).toBe(-19);
    const [mix, master] = r.gains;
    expect(mix.gainDb).toBe(0);
    expect(mix.volume).toBe(1);
    expect(master.gainDb).toBe(-9);
    expect(master.volume).toBeCloseTo(0.354813, 5);
    // After the gains both sit at the same loudness.
    expect(mix.lufs! + mix.gainDb).toBeCloseTo(master.lufs! + master.gainDb, 9);
  });

  it('never boosts: gains are at most 0 dB and volumes in 0…1', () => {
    const r = matchLoudness([
      { id: 'a', lufs: -8 },
      { id: 'b', lufs: -23 },
      { id: 'c', lufs: -14 },
    ]);
    for (const g of r.gains) {
      expect(g.gainDb).toBeLessThanOrEqual(0);
      expect(g.volume).toBeGreaterThan(0);
      expect(g.volume).toBeLessThanOrEqual(1);
    }
    expect(r.gains.map((g) => g.gainDb)).toEqual([-15, 0, -9]);
  });

  it('plays a source of unknown loudness at 0 dB, unmatched', () => {
    const r = matchLoudness([
      { id: 'mix', lufs: null },
      { id: 'master', lufs: -10 },
    ]);
    expect(r.referenceLufs).toBe(-10);
    expect(r.gains[0]).toMatchObject({ gainDb: 0, volume: 1, matched: false });
    expect(r.gains[1]).toMatchObject({ gainDb: 0, volume: 1, matched: true });
    expect(matchLoudness([{ id: 'x', lufs: undefined }]).referenceLufs).toBeNull();
  });

  it('caps the cut so a near-silent source does not mute the others', () => {
    const r = matchLoudness([
      { id: 'quiet', lufs: -70 },
      { id: 'loud', lufs: -8 },
    ]);
    expect(r.gains[1].gainDb).toBe(-MAX_CUT_DB);
  });

  it('converts dB to a linear factor', () => {
    expect(dbToLinear(0)).toBe(1);
    expect(dbToLinear(-20)).toBeCloseTo(0.1, 12);
    expect(dbToLinear(-6.0206)).toBeCloseTo(0.5, 4);
  });
});
