import { useEffect, useState } from 'react';
import { api, isTerminal, watchJob } from '../lib/api';
import { errorText } from '../lib/apiError';
import { elapsed, stageLabel } from '../lib/format';
import { STEPS, currentStep } from '../lib/stages';
import type { Job, Report } from '../lib/types';
import { ErrorBox, ProgressBar, StatusBadge } from '../components/common';
import { Results } from '../results/Results';

export function JobPage({ id }: { id: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [via, setVia] = useState<'sse' | 'poll' | null>(null);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const [report, setReport] = useState<Report | null>(null);
  const [reportError, setReportError] = useState('');
  const [cancelling, setCancelling] = useState(false);
  // Server clock minus this clock, estimated from the first update of a live job
  // (its updated_at is "now" on the server, give or take one event interval).
  const [skewMs, setSkewMs] = useState<number | null>(null);

  useEffect(() => {
    setJob(null);
    setReport(null);
    setError('');
    return watchJob(
      id,
      (j, how) => {
        if (j.updated_at_ms && !isTerminal(j.status)) setSkewMs((s) => (s === null ? j.updated_at_ms! - Date.now() : s));
        setJob(j);
        setVia(how);
        setError('');
      },
      (e) => setError(errorText(e)),
    );
  }, [id]);

  const running = job ? !isTerminal(job.status) : true;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);

  useEffect(() => {
    if (job?.status !== 'succeeded' || report) return;
    const ctrl = new AbortController();
    api
      .report<Report>(id, ctrl.signal)
      .then(setReport)
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') setReportError(`The report cannot be loaded. ${errorText(e)}`);
      });
    return () => ctrl.abort();
  }, [job?.status, id, report]);

  const cancel = async () => {
    setCancelling(true);
    try {
      await api.cancel(id);
    } catch (e) {
      setError(errorText(e));
      setCancelling(false);
    }
  };

  const serverNow = now + (skewMs ?? 0);
  const started = job?.created_at_ms ?? serverNow;
  const end = job && isTerminal(job.status) ? (job.updated_at_ms ?? serverNow) : Math.max(serverNow, job?.updated_at_ms ?? 0);
  const pct = Math.round((job?.progress ?? 0) * 100);

  return (
    <div className="page jobpage">
      <div className="page-head">
        <div>
          <p className="crumb"><a href="#/jobs">Jobs</a> / <span className="mono">{id.slice(0, 12)}</span></p>
          <h1>{job?.project_id || 'Job'} {job && <StatusBadge status={job.status} />}</h1>
        </div>
        {job && !isTerminal(job.status) && (
          <button type="button" className="danger" onClick={cancel} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel job'}
          </button>
        )}
      </div>
      {error && <ErrorBox>{error}</ErrorBox>}
      {job && (
        <section className="card status-card" aria-live="polite">
          <div className="status-line">
            <span className="stage">{job.status === 'queued' ? 'Waiting in the queue' : job.status === 'running' ? stageLabel(job.stage) || 'starting' : job.status === 'succeeded' ? 'Done' : job.status === 'cancelled' ? 'Cancelled' : 'Failed'}</span>
            <span className="pct mono" data-testid="job-percent">{pct} %</span>
            <span className="elapsed mono" title="Elapsed time">{elapsed(end - started)}</span>
          </div>
          <ProgressBar value={job.status === 'succeeded' ? 1 : job.progress ?? 0} label="Job progress" />
          {job.status !== 'failed' && job.status !== 'cancelled' && (
            <ol className="steps" aria-label="Stages">
              {STEPS.map((step, i) => {
                const cur = currentStep(job.status, job.stage);
                const state = i < cur || (step === 'done' && i === cur) ? 'done' : i === cur ? 'current' : 'todo';
                return (
                  <li key={step} className={state} aria-current={state === 'current' ? 'step' : undefined}>
                    <span className="step-dot" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span>
                    <span className="step-label">{step}</span>
                    <span className="sr-only">{state === 'done' ? ' (done)' : state === 'current' ? ' (in progress)' : ''}</span>
                  </li>
                );
              })}
            </ol>
          )}
          <p className="hint small">
            Preset {job.preset || '—'} · {via === 'sse' ? 'live updates' : via === 'poll' ? 'updates every second' : 'connecting…'}
          </p>
          {job.status === 'failed' && job.error && <ErrorBox>{job.error.message}</ErrorBox>}
        </section>
      )}
      {!job && !error && <p className="hint">Loading…</p>}
      {reportError && <ErrorBox>{reportError}</ErrorBox>}
      {job?.status === 'succeeded' && report && <Results id={id} report={report} />}
    </div>
  );
}
