// Custom targets: the same ranges the engine enforces (applyTargetOverrides in
// src/pipeline/Preset.cpp), checked before anything is uploaded.

export interface Targets {
  lufs: number;
  ceiling_dbTP: number;
  width_pct: number;
  lra_max: number | null;
}

export type TargetKey = keyof Targets;

export interface TargetField {
  key: TargetKey;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  optional: boolean;
}

export const TARGET_FIELDS: TargetField[] = [
  { key: 'lufs', label: 'Loudness', unit: 'LUFS', min: -40, max: 0, step: 0.5, optional: false },
  { key: 'ceiling_dbTP', label: 'True-peak ceiling', unit: 'dBTP', min: -20, max: 0, step: 0.1, optional: false },
  { key: 'width_pct', label: 'Stereo width', unit: '%', min: 0, max: 140, step: 1, optional: false },
  { key: 'lra_max', label: 'Loudness range max', unit: 'LU', min: 1, max: 40, step: 0.5, optional: true },
];

export type TargetDraft = Record<TargetKey, string>;
export type TargetErrors = Partial<Record<TargetKey, string>>;

export function draftFromTargets(t: Targets): TargetDraft {
  return {
    lufs: String(t.lufs),
    ceiling_dbTP: String(t.ceiling_dbTP),
    width_pct: String(t.width_pct),
    lra_max: t.lra_max == null ? '' : String(t.lra_max),
  };
}

/** Parses a typed number: accepts "-14", "−14" (Unicode minus), "-14,5" (decimal comma). */
export function parseNumber(text: string): number | null {
  const s = text.trim().replace(/\u2212/g, '-').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function fmt(v: number): string {
  return v < 0 ? `\u2212${Math.abs(v)}` : String(v);
}

/** Checks every field; returns the targets when all are valid, else the errors in plain words. */
export function validateTargets(draft: TargetDraft): { targets: Targets | null; errors: TargetErrors } {
  const errors: TargetErrors = {};
  const values: Partial<Record<TargetKey, number | null>> = {};
  for (const f of TARGET_FIELDS) {
    const text = draft[f.key]?.trim() ?? '';
    if (text === '') {
      if (f.optional) values[f.key] = null;
      else errors[f.key] = `${f.label} is required.`;
      continue;
    }
    const v = parseNumber(text);
    if (v === null) {
      errors[f.key] = `${f.label} must be a number.`;
    } else if (v < f.min || v > f.max) {
      errors[f.key] = `${f.label} must be between ${fmt(f.min)} and ${fmt(f.max)} ${f.unit}.`;
    } else {
      values[f.key] = v;
    }
  }
  if (Object.keys(errors).length > 0) return { targets: null, errors };
  return {
    targets: {
      lufs: values.lufs as number,
      ceiling_dbTP: values.ceiling_dbTP as number,
      width_pct: values.width_pct as number,
      lra_max: (values.lra_max ?? null) as number | null,
    },
    errors,
  };
}
