// The stem list of a new job: names, roles, gain, pan, mute, and the 12-stem limit.
import { guessRoleFromName, type Role } from './roles';

export const MAX_STEMS = 12;
export const AUDIO_EXTENSIONS = ['.wav', '.wave', '.aif', '.aiff', '.flac'];

export interface StemDraft {
  name: string; // the file part name and stems_meta name: the file name
  file: File | { name: string; size: number };
  role: Role | '';
  roleGuessed: boolean;
  gainDb: string;
  pan: string;
  mute: boolean;
}

export function isAudioName(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * Adds dropped files to the list. Refuses (with a message) files past the 12th,
 * duplicates of a name already listed, and files that are not WAV, AIFF or FLAC.
 */
export function addStems<F extends { name: string; size: number }>(
  current: StemDraft[],
  files: F[],
): { stems: StemDraft[]; messages: string[] } {
  const stems = [...current];
  const messages: string[] = [];
  const refusedLimit: string[] = [];
  for (const file of files) {
    if (!isAudioName(file.name)) {
      messages.push(`${file.name} is not a WAV, AIFF or FLAC file; it was not added.`);
      continue;
    }
    if (stems.some((s) => s.name === file.name)) {
      messages.push(`${file.name} is already in the list.`);
      continue;
    }
    if (stems.length >= MAX_STEMS) {
      refusedLimit.push(file.name);
      continue;
    }
    const guess = guessRoleFromName(file.name);
    stems.push({ name: file.name, file, role: guess ?? '', roleGuessed: guess !== null, gainDb: '', pan: '', mute: false });
  }
  if (refusedLimit.length > 0)
    messages.push(
      `A job takes at most ${MAX_STEMS} stems. Not added: ${refusedLimit.join(', ')}. Remove a stem or bounce some together first.`,
    );
  return { stems, messages };
}

export interface StemMeta {
  name: string;
  role?: Role;
  gain_db?: number;
  pan?: number;
  mute?: boolean;
}

/** Gain −60…+24 dB and pan −100…+100 (L…R) as the engine accepts them; null when invalid. */
export function stemErrors(s: StemDraft): string[] {
  const errs: string[] = [];
  const g = s.gainDb.trim();
  if (g !== '') {
    const v = Number(g.replace('\u2212', '-'));
    if (!Number.isFinite(v) || v < -60 || v > 24) errs.push(`${s.name}: gain must be between \u221260 and +24 dB.`);
  }
  const p = s.pan.trim();
  if (p !== '') {
    const v = Number(p.replace('\u2212', '-'));
    if (!Number.isFinite(v) || v < -100 || v > 100) errs.push(`${s.name}: pan must be between \u2212100 (left) and 100 (right).`);
  }
  return errs;
}

/** stems_meta for POST /v1/jobs: only what the user set (a missing role: the engine guesses). */
export function stemsMeta(stems: StemDraft[]): StemMeta[] {
  return stems.map((s) => {
    const m: StemMeta = { name: s.name };
    if (s.role) m.role = s.role;
    if (s.gainDb.trim() !== '') m.gain_db = Number(s.gainDb.replace('\u2212', '-'));
    if (s.pan.trim() !== '') m.pan = Number(s.pan.replace('\u2212', '-')) / 100;
    if (s.mute) m.mute = true;
    return m;
  });
}
