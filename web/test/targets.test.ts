import { describe, expect, it } from 'vitest';
import { draftFromTargets, parseNumber, validateTargets } from '../src/lib/targets';

const ok = { lufs: '-14', ceiling_dbTP: '-1', width_pct: '100', lra_max: '' };

describe('validateTargets', () => {
  it('accepts valid targets; an empty LRA max means no limit', () => {
    expect(validateTargets(ok)).toEqual({ targets: { lufs: -14, ceiling_dbTP: -1, width_pct: 100, lra_max: null }, errors: {} });
  });

  it('accepts the range ends', () => {
    const r = validateTargets({ lufs: '-40', ceiling_dbTP: '0', width_pct: '140', lra_max: '1' });
    expect(r.targets).toEqual({ lufs: -40, ceiling_dbTP: 0, width_pct: 140, lra_max: 1 });
    expect(validateTargets({ lufs: '0', ceiling_dbTP: '-20', width_pct: '0', lra_max: '40' }).targets).not.toBeNull();
  });

  it.each([
    ['lufs', '-41', 'Loudness must be between −40 and 0 LUFS.'],
    ['lufs', '0.5', 'Loudness must be between −40 and 0 LUFS.'],
    ['ceiling_dbTP', '-20.1', 'True-peak ceiling must be between −20 and 0 dBTP.'],
    ['ceiling_dbTP', '1', 'True-peak ceiling must be between −20 and 0 dBTP.'],
    ['width_pct', '141', 'Stereo width must be between 0 and 140 %.'],
    ['width_pct', '-1', 'Stereo width must be between 0 and 140 %.'],
    ['lra_max', '0.5', 'Loudness range max must be between 1 and 40 LU.'],
    ['lra_max', '41', 'Loudness range max must be between 1 and 40 LU.'],
    ['lufs', 'loud', 'Loudness must be a number.'],
    ['lufs', '', 'Loudness is required.'],
  ] as const)('%s = %s is refused', (key, value, message) => {
    const r = validateTargets({ ...ok, [key]: value });
    expect(r.targets).toBeNull();
    expect(r.errors[key]).toBe(message);
  });

  it('reports every bad field at once', () => {
    const r = validateTargets({ lufs: '5', ceiling_dbTP: '-30', width_pct: 'x', lra_max: '0' });
    expect(Object.keys(r.errors).sort()).toEqual(['ceiling_dbTP', 'lra_max', 'lufs', 'width_pct']);
  });

  it('reads Unicode minus and decimal commas, refuses junk', () => {
    expect(parseNumber('\u221214')).toBe(-14);
    expect(parseNumber('-9,5')).toBe(-9.5);
    expect(parseNumber(' -1 ')).toBe(-1);
    expect(parseNumber('1e3')).toBeNull();
    expect(parseNumber('Infinity')).toBeNull();
    expect(parseNumber('')).toBeNull();
  });

  it('round-trips preset targets through the draft', () => {
    const t = { lufs: -10, ceiling_dbTP: -1, width_pct: 120, lra_max: null };
    expect(validateTargets(draftFromTargets(t)).targets).toEqual(t);
  });
});
