// Stem roles and the guess from a file name: a port of guessRoleFromName in
// src/mixing/StemRole.cpp (same words, same order, same quirks), so the role the
// page prefills is the one the engine would pick from the name.

export const ROLES = [
  'kick', 'snare', 'drums', 'percussion', 'bass', 'keys', 'piano', 'synth', 'pad',
  'guitar', 'strings', 'brass', 'lead', 'vocal', 'backing_vocal', 'fx', 'other',
] as const;

export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** std::filesystem::path(name).stem(): no folders, no last extension (".hidden" stays). */
export function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  if (base === '.' || base === '..') return base;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);
const isUpper = (c: string) => /^[A-Z]$/.test(c);
const isLower = (c: string) => /^[a-z]$/.test(c);
const isDigit = (c: string) => /^[0-9]$/.test(c);

/**
 * Lower-case words of a file stem, split on non-letters and on camelCase boundaries.
 * Digits stay with the word they follow ("tr808", "vox2") and a word with trailing digits
 * also counts without them ("bd1" is also "bd"); a bare number is a word ("808").
 * Same rules as the engine (src/mixing/StemRole.cpp).
 */
export function nameWords(fileName: string): string[] {
  const stem = fileStem(fileName);
  const out: string[] = [];
  let cur = '';
  const flush = () => {
    if (!cur) return;
    out.push(cur);
    const firstDigit = cur.search(/[0-9]/);
    if (firstDigit > 0) out.push(cur.slice(0, firstDigit));
    cur = '';
  };
  for (let i = 0; i < stem.length; ++i) {
    const ch = stem[i];
    if (isAlpha(ch)) {
      const afterDigit = cur !== '' && isDigit(cur[cur.length - 1]);
      const camel = isUpper(ch) && i > 0 && isLower(stem[i - 1]);
      if (afterDigit || camel) flush();
      cur += ch.toLowerCase();
    } else if (isDigit(ch)) {
      cur += ch;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

const has = (w: string[], keys: string[]) => w.some((x) => keys.includes(x));
const contains = (joined: string, keys: string[]) => keys.some((k) => joined.includes(k));

/** The role a file name suggests, or null when it suggests none (the engine then listens). */
export function guessRoleFromName(fileName: string): Role | null {
  const w = nameWords(fileName);
  const joined = w.join('');
  // Order matters: "bassdrum" is a kick, "lead vox" a vocal, "bgv" a backing vocal.
  if (has(w, ['kick', 'kik', 'bd', 'bassdrum']) || contains(joined, ['kick', 'bassdrum'])) return 'kick';
  if (has(w, ['snare', 'snr', 'sd', 'rim']) || contains(joined, ['snare'])) return 'snare';
  if (has(w, ['bgv', 'bgvs', 'bv', 'bvs', 'backing', 'backings', 'harmony', 'harmonies', 'choir', 'backup']))
    return 'backing_vocal';
  if (has(w, ['vox', 'vocal', 'vocals', 'voc', 'voice', 'singer', 'vox1', 'leadvox']) || contains(joined, ['vocal', 'vox']))
    return 'vocal';
  if (
    has(w, ['hat', 'hats', 'hihat', 'hh', 'oh', 'overhead', 'overheads', 'drum', 'drums', 'kit', 'cymbal',
      'cymbals', 'ride', 'crash', 'tom', 'toms', 'room', 'rooms', 'loop', 'breakbeat']) ||
    contains(joined, ['hihat', 'overhead', 'drum'])
  )
    return 'drums';
  if (has(w, ['perc', 'percussion', 'shaker', 'conga', 'congas', 'bongo', 'bongos', 'tamb', 'tambourine',
    'clap', 'claps', 'cowbell', 'triangle']))
    return 'percussion';
  if (has(w, ['bass', 'sub', 'subbass', '808', 'tr808', 'di', 'bassline']) || contains(joined, ['bass'])) return 'bass';
  if (has(w, ['piano', 'pno', 'grand']) || contains(joined, ['piano'])) return 'piano';
  if (has(w, ['keys', 'key', 'rhodes', 'organ', 'wurli', 'wurlitzer', 'ep', 'clav', 'keyboard'])) return 'keys';
  if (has(w, ['pad', 'pads', 'atmo', 'ambient', 'drone'])) return 'pad';
  if (has(w, ['gtr', 'guitar', 'guitars', 'git', 'acoustic', 'electric']) || contains(joined, ['guitar'])) return 'guitar';
  if (has(w, ['strings', 'string', 'violin', 'violins', 'viola', 'cello', 'celli', 'orchestra', 'ensemble']))
    return 'strings';
  if (has(w, ['brass', 'horn', 'horns', 'trumpet', 'trumpets', 'sax', 'saxophone', 'trombone', 'tuba'])) return 'brass';
  if (has(w, ['synth', 'synths', 'arp', 'pluck', 'saw', 'supersaw'])) return 'synth';
  if (has(w, ['lead', 'melody', 'solo', 'topline'])) return 'lead';
  if (has(w, ['fx', 'sfx', 'riser', 'risers', 'impact', 'sweep', 'noise', 'effects', 'whoosh'])) return 'fx';
  return null;
}

export function roleLabel(role: string): string {
  return role === 'backing_vocal' ? 'backing vocal' : role === 'fx' ? 'FX' : role;
}
