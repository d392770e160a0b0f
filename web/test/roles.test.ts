import { describe, expect, it } from 'vitest';
import { fileStem, guessRoleFromName, nameWords } from '../src/lib/roles';

describe('guessRoleFromName (port of StemRole.cpp)', () => {
  it.each([
    ['kick.flac', 'kick'],
    ['Kick In.wav', 'kick'],
    ['BassDrum.wav', 'kick'],
    ['bd.wav', 'kick'],
    ['snare.flac', 'snare'],
    ['SnareTop.aif', 'snare'],
    ['hihat.flac', 'drums'],
    ['OH L.wav', 'drums'],
    ['drum_bus.wav', 'drums'],
    ['bass.flac', 'bass'],
    ['Sub.wav', 'bass'],
    ['bass_DI.wav', 'bass'],
    ['piano.flac', 'piano'],
    ['Rhodes.wav', 'keys'],
    ['pad.flac', 'pad'],
    ['guitar.flac', 'guitar'],
    ['Gtr_Rhythm.wav', 'guitar'],
    ['lead_vox.flac', 'vocal'],
    ['leadVox.wav', 'vocal'],
    ['LeadVocal.wav', 'vocal'],
    ['BGV 1.wav', 'backing_vocal'],
    ['harmonies.wav', 'backing_vocal'],
    ['shaker.wav', 'percussion'],
    ['violins.wav', 'strings'],
    ['horns.wav', 'brass'],
    ['synth arp.wav', 'synth'],
    ['lead.wav', 'lead'],
    ['riser.wav', 'fx'],
  ])('%s → %s', (name, role) => {
    expect(guessRoleFromName(name)).toBe(role);
  });

  it('returns null when the name says nothing', () => {
    expect(guessRoleFromName('track 7.wav')).toBeNull();
    expect(guessRoleFromName('audio.flac')).toBeNull();
  });

  it('keeps the engine order: bassdrum is a kick, lead vox a vocal, bgv a backing vocal', () => {
    expect(guessRoleFromName('bassdrum.wav')).toBe('kick');
    expect(guessRoleFromName('lead vox.wav')).toBe('vocal');
    expect(guessRoleFromName('bgv vox.wav')).toBe('backing_vocal');
    expect(guessRoleFromName('snare room.wav')).toBe('snare');
  });

  it('splits words like the engine: non-letters and camelCase', () => {
    expect(nameWords('LeadVox_02.wav')).toEqual(['lead', 'vox', '02']);
    expect(nameWords('drums/OH-L.wav')).toEqual(['oh', 'l']);
    expect(nameWords('BD1.wav')).toEqual(['bd1', 'bd']);
  });

  it('takes the stem like std::filesystem::path::stem', () => {
    expect(fileStem('a/b/kick.in.wav')).toBe('kick.in');
    expect(fileStem('.hidden')).toBe('.hidden');
    expect(fileStem('noext')).toBe('noext');
  });
});
