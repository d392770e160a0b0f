// Spectrum curves for one plot: the mix and master spectra are absolute band levels,
// the target curve is relative; each curve is shown relative to its own mean over the
// bands 40 Hz–16 kHz, so the plot compares tonal balance, not level.

export const ISO_THIRD_OCTAVES = Array.from({ length: 31 }, (_, i) => 1000 * Math.pow(2, (i - 17) / 3));

export function normalizeCurve(centres: number[], db: (number | null)[]): (number | null)[] {
  const inBand = db.filter((v, i): v is number => v !== null && Number.isFinite(v) && centres[i] >= 40 && centres[i] <= 16000);
  if (inBand.length === 0) return db.map(() => null);
  const mean = inBand.reduce((a, b) => a + b, 0) / inBand.length;
  return db.map((v) => (v === null || !Number.isFinite(v) ? null : v - mean));
}
