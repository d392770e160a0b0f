// Number and time formatting for tables and labels (Unicode minus, fixed decimals, "—" for unknown).

export function num(v: number | null | undefined, digits = 1, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '\u2014';
  const s = Math.abs(v).toFixed(digits);
  const sign = v < 0 && Number(s) !== 0 ? '\u2212' : '';
  return `${sign}${s}${unit ? ` ${unit}` : ''}`;
}

export function signed(v: number | null | undefined, digits = 1, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '\u2014';
  const s = num(v, digits, unit);
  return v > 0 && Number(Math.abs(v).toFixed(digits)) !== 0 ? `+${s}` : s;
}

export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function pan(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '\u2014';
  const pct = Math.round(Math.abs(v) * 100);
  if (pct === 0) return 'C';
  return `${v < 0 ? 'L' : 'R'}${pct}`;
}

export function hz(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '\u2014';
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)} kHz` : `${Math.round(v)} Hz`;
}

export function stageLabel(stage: string | undefined): string {
  if (!stage) return '';
  return stage.replace(/_/g, ' ');
}
