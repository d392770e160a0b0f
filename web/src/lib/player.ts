// The sources of the A/B/C player, from the report: A = the raw stem sum (the stems as
// uploaded, summed at unity gain, no processing), B = the mix, C = the master. Each plays
// from its compressed preview (Ogg Opus: /download/stems_preview, mix_preview,
// preview), never the 24-bit WAV, and carries the loudness measured on that preview
// (report.previews.*.lufs), so lib/loudness.ts can gain-match them to one LUFS.
//
// A report without `previews` (made before the previews existed) falls back to what it
// had: the mix WAV and the master preview, each at its report loudness; no stem sum.
import type { DownloadKind } from './api';
import type { Report } from './types';

export type SourceId = 'stems' | 'mix' | 'master';

export interface PlayerSource {
  id: SourceId;
  key: 'A' | 'B' | 'C';
  label: string;
  kind: DownloadKind;
  lufs: number | null; // of what plays (the preview), for the gain matching
  sourceLufs: number | null; // of the stem sum, mix or master itself, for the label
  peaks: (number | null)[];
  color: string;
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The waveform peaks of a preview: the report's (full scale) lowered by the preview's gain. */
function scaled(peaks: (number | null)[] | undefined, gainDb: number | null): (number | null)[] {
  if (!peaks) return [];
  const g = Math.pow(10, (gainDb ?? 0) / 20);
  return peaks.map((v) => (v === null ? null : v * g));
}

export function playerSources(report: Report): PlayerSource[] {
  const p = report.previews;
  if (!p || !p.mix || !p.master) {
    return [
      { id: 'mix', key: 'A', label: 'Mix', kind: 'mix', lufs: finite(report.mix.integrated_lufs), sourceLufs: finite(report.mix.integrated_lufs), peaks: report.mix.waveform_peaks ?? [], color: '#60a5fa' },
      { id: 'master', key: 'B', label: 'Master', kind: 'preview', lufs: finite(report.master?.integrated_lufs), sourceLufs: finite(report.master?.integrated_lufs), peaks: report.master?.waveform_peaks ?? [], color: '#2dd4bf' },
    ];
  }
  const out: PlayerSource[] = [];
  if (p.stems)
    out.push({ id: 'stems', key: 'A', label: 'Raw stems', kind: 'stems_preview', lufs: finite(p.stems.lufs), sourceLufs: finite(p.stems.source_lufs), peaks: [], color: '#f59e0b' });
  out.push({ id: 'mix', key: 'B', label: 'Mix', kind: 'mix_preview', lufs: finite(p.mix.lufs), sourceLufs: finite(report.mix.integrated_lufs), peaks: scaled(report.mix.waveform_peaks, finite(p.mix.gain_db)), color: '#60a5fa' });
  out.push({ id: 'master', key: 'C', label: 'Master', kind: 'preview', lufs: finite(p.master.lufs), sourceLufs: finite(report.master?.integrated_lufs), peaks: scaled(report.master?.waveform_peaks, finite(p.master.gain_db)), color: '#2dd4bf' });
  // Keys in order: A, B, C (A, B without a stem sum, e.g. a master-only job).
  const keys = ['A', 'B', 'C'] as const;
  return out.map((s, i) => ({ ...s, key: keys[i] }));
}

/** The source after `current` in A → B → C → A order (the X key). */
export function nextSource(sources: PlayerSource[], current: SourceId): SourceId {
  const i = sources.findIndex((s) => s.id === current);
  return sources[(i + 1) % sources.length].id;
}

/** The source a key (a, b, c; any case) selects, if any. */
export function sourceForKey(sources: PlayerSource[], key: string): SourceId | undefined {
  return sources.find((s) => s.key.toLowerCase() === key.toLowerCase())?.id;
}
