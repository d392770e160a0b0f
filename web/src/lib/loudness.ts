// Loudness matching for the A/B player: every source plays at the loudness of the
// quietest one, so a louder master cannot win a comparison by being louder.
//
// gain_dB(source) = min(integrated LUFS of all sources) − integrated LUFS(source)
//
// The gains are therefore ≤ 0 dB (only attenuation: no clipping, and they fit
// HTMLMediaElement.volume, a linear factor 0…1). The integrated loudness comes from
// the report (mix.integrated_lufs, master.integrated_lufs). A source whose loudness
// is unknown (null: silence) plays at 0 dB and is flagged. Attenuation is capped at
// MAX_CUT_DB so a near-silent source cannot mute the others.

export const MAX_CUT_DB = 40;

export interface LoudnessSource {
  id: string;
  lufs: number | null | undefined;
}

export interface MatchedGain {
  id: string;
  lufs: number | null;
  gainDb: number;
  volume: number;
  matched: boolean;
}

export function dbToLinear(db: number): number {
  return Math.pow(10, db / 20);
}

export function matchLoudness(sources: LoudnessSource[]): { referenceLufs: number | null; gains: MatchedGain[] } {
  const known = sources.map((s) => s.lufs).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const referenceLufs = known.length > 0 ? Math.min(...known) : null;
  const gains = sources.map((s) => {
    const lufs = typeof s.lufs === 'number' && Number.isFinite(s.lufs) ? s.lufs : null;
    if (lufs === null || referenceLufs === null) return { id: s.id, lufs, gainDb: 0, volume: 1, matched: false };
    const gainDb = Math.max(-MAX_CUT_DB, referenceLufs - lufs);
    return { id: s.id, lufs, gainDb, volume: Math.min(1, dbToLinear(gainDb)), matched: true };
  });
  return { referenceLufs, gains };
}
