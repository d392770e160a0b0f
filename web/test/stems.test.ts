import { describe, expect, it } from 'vitest';
import { MAX_STEMS, addStems, stemErrors, stemsMeta } from '../src/lib/stems';
import { SseParser } from '../src/lib/sse';
import { normalizeCurve } from '../src/lib/spectrum';

const f = (name: string) => ({ name, size: 1000 });

describe('addStems', () => {
  it('prefills roles from the names', () => {
    const r = addStems([], [f('kick.flac'), f('lead_vox.flac'), f('take 3.wav')]);
    expect(r.stems.map((s) => [s.name, s.role, s.roleGuessed])).toEqual([
      ['kick.flac', 'kick', true],
      ['lead_vox.flac', 'vocal', true],
      ['take 3.wav', '', false],
    ]);
    expect(r.messages).toEqual([]);
  });

  it('refuses a 13th stem with a message', () => {
    const twelve = Array.from({ length: MAX_STEMS }, (_, i) => f(`stem${i + 1}.wav`));
    const first = addStems([], twelve);
    expect(first.stems).toHaveLength(12);
    const r = addStems(first.stems, [f('stem13.wav')]);
    expect(r.stems).toHaveLength(12);
    expect(r.messages).toEqual(['A job takes at most 12 stems. Not added: stem13.wav. Remove a stem or bounce some together first.']);
  });

  it('refuses duplicates and files that are not audio', () => {
    const r = addStems(addStems([], [f('bass.wav')]).stems, [f('bass.wav'), f('notes.txt'), f('gtr.AIFF')]);
    expect(r.stems.map((s) => s.name)).toEqual(['bass.wav', 'gtr.AIFF']);
    expect(r.messages).toHaveLength(2);
  });

  it('builds stems_meta with only what was set; pan in −1…1', () => {
    const { stems } = addStems([], [f('kick.wav'), f('x.wav')]);
    stems[0] = { ...stems[0], gainDb: '-3', pan: '-50', mute: true };
    expect(stemsMeta(stems)).toEqual([{ name: 'kick.wav', role: 'kick', gain_db: -3, pan: -0.5, mute: true }, { name: 'x.wav' }]);
  });

  it('checks gain and pan ranges', () => {
    const { stems } = addStems([], [f('a.wav')]);
    expect(stemErrors({ ...stems[0], gainDb: '30' })).toHaveLength(1);
    expect(stemErrors({ ...stems[0], pan: '150' })).toHaveLength(1);
    expect(stemErrors({ ...stems[0], gainDb: '-6', pan: '100' })).toEqual([]);
  });
});

describe('SseParser', () => {
  it('parses events split across chunks, skips comments', () => {
    const p = new SseParser();
    expect(p.push('event: status\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\n: keep-alive\n\nevent: status\r\ndata: {"b":2}\r\n\r\n')).toEqual([
      { event: 'status', data: '{"a":1}' },
      { event: 'status', data: '{"b":2}' },
    ]);
  });
});

describe('normalizeCurve', () => {
  it('centres a curve on its mean over 40 Hz–16 kHz, keeping nulls', () => {
    expect(normalizeCurve([20, 100, 1000, 20000], [null, -10, -20, 5])).toEqual([null, 5, -5, 20]);
  });
});

import { STEPS, currentStep } from '../src/lib/stages';
describe('currentStep', () => {
  it('maps service stages to steps', () => {
    expect(STEPS[currentStep('queued', '')]).toBe('queued');
    expect(STEPS[currentStep('running', 'balancing')]).toBe('mixing');
    expect(STEPS[currentStep('running', 'writing mix')]).toBe('mixing');
    expect(STEPS[currentStep('running', 'mastering')]).toBe('mastering');
    expect(STEPS[currentStep('succeeded', 'preview')]).toBe('done');
    expect(currentStep('failed', 'weird')).toBe(-1);
  });
});
