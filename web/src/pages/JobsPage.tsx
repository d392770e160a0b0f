import { useCallback, useEffect, useState } from 'react';
import { api, isTerminal } from '../lib/api';
import { errorText } from '../lib/apiError';
import { num, stageLabel } from '../lib/format';
import type { Job } from '../lib/types';
import { ErrorBox, StatusBadge } from '../components/common';

function when(ms?: number): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export function JobsPage() {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setJobs(await api.jobs(signal));
      setError('');
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  // Refresh while something is still queued or running.
  const active = jobs?.some((j) => !isTerminal(j.status)) ?? false;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [active, load]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </div>
      {error && <ErrorBox>{error}</ErrorBox>}
      {jobs && jobs.length === 0 && (
        <p className="empty">No jobs yet. <a href="#/new">Start one</a>.</p>
      )}
      {jobs && jobs.length > 0 && (
        <div className="table-wrap">
          <table className="jobs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-sm">Preset</th>
                <th scope="col" className="hide-sm">Created</th>
                <th scope="col" className="r">Master</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.job_id}>
                  <th scope="row">
                    <a href={`#/jobs/${j.job_id}`}>{j.project_id || j.job_id.slice(0, 10)}</a>
                  </th>
                  <td>
                    <StatusBadge status={j.status} />
                    {!isTerminal(j.status) && j.stage && <small className="hint"> {stageLabel(j.stage)} {Math.round((j.progress ?? 0) * 100)} %</small>}
                  </td>
                  <td className="hide-sm">{j.preset || '—'}</td>
                  <td className="hide-sm">{when(j.created_at_ms)}</td>
                  <td className="r mono">
                    {j.summary?.integrated_lufs != null ? `${num(j.summary.integrated_lufs)} LUFS` : '—'}
                    {j.summary?.qc_passed === false && <span className="badge warn">QC</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!jobs && !error && <p className="hint">Loading…</p>}
    </div>
  );
}
