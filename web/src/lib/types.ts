// Shapes of the API answers (docs/openapi.json) and of report.json (docs/report.schema.json),
// only the fields the UI reads.
import type { Targets } from './targets';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Preset {
  key: string;
  name: string;
  description: string;
  targets: Targets;
}

export interface JobSummary {
  integrated_lufs?: number | null;
  true_peak_dbtp?: number | null;
  lra_lu?: number | null;
  target_lufs?: number | null;
  qc_passed?: boolean | null;
  warnings?: number;
}

export interface Job {
  job_id: string;
  project_id?: string;
  preset?: string;
  status: JobStatus | string;
  stage?: string;
  progress?: number;
  created_at_ms?: number;
  updated_at_ms?: number;
  error?: { code: string; message: string } | null;
  summary?: JobSummary | null;
}

type Num = number | null;

export interface Metrics {
  duration_s: Num;
  integrated_lufs: Num;
  lra_lu: Num;
  true_peak_dbtp: Num;
  sample_peak_dbfs?: Num;
  max_short_term_lufs?: Num;
  crest_db: Num;
  correlation: Num;
  width_pct: Num;
  short_term_lufs_per_s?: Num[];
  spectrum_third_octave_db?: Num[];
  waveform_peaks?: Num[];
}

export interface Compressor {
  threshold_dbfs: Num;
  ratio: Num;
  attack_ms: Num;
  release_ms: Num;
  makeup_db?: Num;
}

export interface EqBand {
  type: string;
  freq_hz: Num;
  gain_db: Num;
  q: Num;
  reason: string;
}

export interface StemReport {
  name: string;
  role: string;
  role_source: string;
  input: Metrics;
  decisions: {
    muted: boolean;
    gain_db: Num;
    gain_reason: string;
    high_pass_hz: Num;
    high_pass_reason: string;
    eq: EqBand[];
    compressor: Compressor | null;
    compressor_reason: string;
    pan: Num;
    pan_reason: string;
    bus: string;
    guardrails: string[];
  };
  output: { integrated_lufs: Num; relative_to_mix_lu: Num; average_gr_db: Num; max_gr_db: Num };
  warnings: string[];
}

export interface QcCheck {
  name: string;
  target: string;
  measured: Num;
  passed: boolean;
  action: string;
}

export interface Spectrum {
  centres_hz: number[];
  db: Num[];
  source?: string;
}

/** A browser preview (Ogg Opus) as measured after encoding; see docs/report.schema.json. */
export interface PreviewInfo {
  file: string;
  gain_db: Num;
  source_lufs: Num;
  lufs: Num;
  true_peak_dbtp: Num;
}

export interface Report {
  version: string;
  preset: { key: string; name: string };
  targets: Targets;
  options: Record<string, unknown>;
  stems: StemReport[];
  mix: Metrics;
  master: Metrics | null;
  target_spectrum: Spectrum | null;
  reference?: Spectrum;
  previews?: { stems?: PreviewInfo; mix?: PreviewInfo; master?: PreviewInfo };
  qc: { passed: boolean; iterations: number; checks: QcCheck[]; actions?: string[] };
  timings_s: Record<string, Num>;
  warnings: string[];
}
