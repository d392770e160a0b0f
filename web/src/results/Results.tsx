import { num } from '../lib/format';
import type { Report } from '../lib/types';
import { ABPlayer } from './ABPlayer';
import { LoudnessChart, SpectrumChart } from './Charts';
import { Downloads } from './Downloads';
import { QcTable, StemsTable } from './Tables';

function Metric({ label, value, unit, target, ok }: { label: string; value: string; unit: string; target?: string; ok?: boolean }) {
  return (
    <div className="metric">
      <span className="metric-label">{label}</span>
      <span className="metric-value mono">{value}<small> {unit}</small></span>
      {target && <span className={`metric-target ${ok === false ? 'bad' : ok ? 'good' : ''}`}>{target}</span>}
    </div>
  );
}

export function Results({ id, report }: { id: string; report: Report }) {
  const m = report.master;
  const t = report.targets;
  const lufsOk = m?.integrated_lufs != null ? Math.abs(m.integrated_lufs - t.lufs) <= 1 : undefined;
  const tpOk = m?.true_peak_dbtp != null ? m.true_peak_dbtp <= t.ceiling_dbTP + 0.05 : undefined;
  return (
    <div className="results" data-testid="results">
      <section className="metrics" aria-label="Master measurements">
        <Metric label="Loudness" value={num(m?.integrated_lufs, 1)} unit="LUFS" target={`target ${num(t.lufs, 1)}`} ok={lufsOk} />
        <Metric label="True peak" value={num(m?.true_peak_dbtp, 1)} unit="dBTP" target={`ceiling ${num(t.ceiling_dbTP, 1)}`} ok={tpOk} />
        <Metric label="Loudness range" value={num(m?.lra_lu, 1)} unit="LU" target={t.lra_max != null ? `max ${num(t.lra_max, 0)}` : 'no limit'} ok={t.lra_max != null && m?.lra_lu != null ? m.lra_lu <= t.lra_max : undefined} />
        <Metric label="Width" value={num(m?.width_pct, 0)} unit="%" target={`max ${num(t.width_pct, 0)}`} />
        <Metric label="Preset" value={report.preset.name} unit="" target={`${num(report.timings_s.total, 1)} s to render`} />
      </section>
      {report.warnings.length > 0 && (
        <div className="warnings" role="note">
          <strong>Notes</strong>
          <ul>{report.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </div>
      )}
      <ABPlayer id={id} report={report} />
      <div className="grid2">
        <section className="card" aria-labelledby="lu-h">
          <h2 id="lu-h">Loudness over time</h2>
          <LoudnessChart report={report} />
        </section>
        <section className="card" aria-labelledby="sp-h">
          <h2 id="sp-h">Spectrum</h2>
          <SpectrumChart report={report} />
          <p className="hint small">Third-octave bands; each curve relative to its own mean (40 Hz–16 kHz), so the shapes compare tonal balance.</p>
        </section>
      </div>
      <Downloads id={id} format={String(report.options.format ?? 'wav24')} />
      <QcTable report={report} />
      <StemsTable report={report} />
    </div>
  );
}
