import { num, hz, pan, signed } from '../lib/format';
import { roleLabel } from '../lib/roles';
import type { Report, StemReport } from '../lib/types';

function qcName(name: string): string {
  const words: Record<string, string> = { gr: 'GR', lufs: 'LUFS', dbtp: 'dBTP', lra: 'LRA', plr: 'PLR', lu: 'LU', db: 'dB', pct: '%' };
  return name
    .replace(/_/g, ' ')
    .replace(/\b[a-z]+\b/g, (w) => words[w] ?? w)
    .replace(/^./, (c) => c.toUpperCase());
}

export function QcTable({ report }: { report: Report }) {
  const qc = report.qc;
  return (
    <section className="card" aria-labelledby="qc-h">
      <div className="card-head">
        <h2 id="qc-h">Quality checks</h2>
        <span className={`badge ${qc.passed ? 'pass' : 'fail'}`}>{qc.passed ? 'all passed' : 'some failed'} · {qc.iterations} iteration{qc.iterations === 1 ? '' : 's'}</span>
      </div>
      <div className="table-wrap">
        <table className="qc resp">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Target</th>
              <th scope="col" className="r">Measured</th>
              <th scope="col">Result</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {qc.checks.map((c) => (
              <tr key={c.name}>
                <th scope="row" data-label="Check">{qcName(c.name)}</th>
                <td data-label="Target" className="mono">{c.target}</td>
                <td data-label="Measured" className="r mono">{num(c.measured, 2)}</td>
                <td data-label="Result"><span className={`badge ${c.passed ? 'pass' : 'fail'}`}>{c.passed ? '✓ pass' : '✗ fail'}</span></td>
                <td data-label="Action" className={c.action === 'none' ? 'dim no-action' : 'dim'}>{c.action === 'none' ? '—' : c.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {qc.actions && qc.actions.length > 0 && (
        <ul className="actions">{qc.actions.map((a) => <li key={a}>{a}</li>)}</ul>
      )}
    </section>
  );
}

function Why({ text }: { text: string }) {
  return text ? <span className="why">{text}</span> : null;
}

function eqText(s: StemReport) {
  if (s.decisions.eq.length === 0) return <span className="dim">flat</span>;
  return (
    <ul className="eq">
      {s.decisions.eq.map((b, i) => (
        <li key={i}>
          <b className="mono">{signed(b.gain_db, 1)} dB @ {hz(b.freq_hz)}</b> <span className="dim">{b.type}, Q {num(b.q, 1)}</span>
          <Why text={b.reason} />
        </li>
      ))}
    </ul>
  );
}

export function StemsTable({ report }: { report: Report }) {
  return (
    <section className="card" aria-labelledby="stems-dec-h">
      <h2 id="stems-dec-h">Decisions per stem</h2>
      <div className="table-wrap">
        <table className="decisions resp">
          <thead>
            <tr>
              <th scope="col">Stem</th>
              <th scope="col">Gain</th>
              <th scope="col">High-pass</th>
              <th scope="col">EQ</th>
              <th scope="col">Compression</th>
              <th scope="col">Pan</th>
            </tr>
          </thead>
          <tbody>
            {report.stems.map((s) => {
              const d = s.decisions;
              const c = d.compressor;
              return (
                <tr key={s.name} className={d.muted ? 'muted' : ''}>
                  <th scope="row" data-label="Stem">
                    <span className="stem-title">{s.name}</span>
                    <small className="dim">{roleLabel(s.role)} ({s.role_source}) · {d.bus} bus</small>
                    <small className="dim mono">{num(s.input.integrated_lufs, 1)} → {num(s.output.integrated_lufs, 1)} LUFS</small>
                    {d.muted && <span className="badge">muted</span>}
                    {[...d.guardrails, ...s.warnings].map((g) => <span key={g} className="why warn-text">{g}</span>)}
                  </th>
                  <td data-label="Gain"><b className="mono">{signed(d.gain_db, 1)} dB</b><Why text={d.gain_reason} /></td>
                  <td data-label="High-pass"><b className="mono">{d.high_pass_hz ? hz(d.high_pass_hz) : 'off'}</b><Why text={d.high_pass_reason} /></td>
                  <td data-label="EQ">{eqText(s)}</td>
                  <td data-label="Compression">
                    {c ? (
                      <b className="mono">{num(c.ratio, 1)}:1 @ {num(c.threshold_dbfs, 1)} dBFS</b>
                    ) : (
                      <b>off</b>
                    )}
                    {c && <small className="dim mono"> GR avg {num(s.output.average_gr_db, 1)} / max {num(s.output.max_gr_db, 1)} dB</small>}
                    <Why text={d.compressor_reason} />
                  </td>
                  <td data-label="Pan"><b className="mono">{pan(d.pan)}</b><Why text={d.pan_reason} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
