import { useEffect, useMemo, useRef, useState } from 'react';
import { api, submitJob } from '../lib/api';
import { errorText } from '../lib/apiError';
import { bytes, num } from '../lib/format';
import { ROLES, roleLabel, type Role } from '../lib/roles';
import { AUDIO_EXTENSIONS, MAX_STEMS, addStems, stemErrors, stemsMeta, type StemDraft } from '../lib/stems';
import { TARGET_FIELDS, draftFromTargets, validateTargets, type TargetDraft } from '../lib/targets';
import type { Preset } from '../lib/types';
import { navigate } from '../router';
import { ErrorBox, ProgressBar } from '../components/common';

function targetsLine(p: Preset): string {
  const t = p.targets;
  return `${num(t.lufs, 1)} LUFS · ${num(t.ceiling_dbTP, 1)} dBTP · width ${num(t.width_pct, 0)} %` +
    (t.lra_max != null ? ` · LRA ≤ ${num(t.lra_max, 0)} LU` : '');
}

export function NewJobPage() {
  const [stems, setStems] = useState<StemDraft[]>([]);
  const [notices, setNotices] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [presets, setPresets] = useState<Preset[] | null>(null);
  const [presetError, setPresetError] = useState('');
  const [presetKey, setPresetKey] = useState('');
  const [custom, setCustom] = useState(false);
  const [draft, setDraft] = useState<TargetDraft | null>(null);
  const [respectGains, setRespectGains] = useState(false);
  const [bypassParallel, setBypassParallel] = useState(false);
  const [reference, setReference] = useState<File | null>(null);
  const [project, setProject] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [submitError, setSubmitError] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const abortRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    api
      .presets(ctrl.signal)
      .then((p) => {
        setPresets(p);
        const pop = p.find((x) => x.key === 'pop') ?? p[0];
        if (pop) setPresetKey((k) => k || pop.key);
      })
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') setPresetError(`Cannot load the presets. ${errorText(e)}`);
      });
    return () => ctrl.abort();
  }, []);

  const preset = presets?.find((p) => p.key === presetKey) ?? null;
  useEffect(() => {
    if (preset && !custom) setDraft(draftFromTargets(preset.targets));
  }, [preset, custom]);

  const validation = useMemo(() => (custom && draft ? validateTargets(draft) : null), [custom, draft]);
  const stemProblems = stems.flatMap(stemErrors);
  const uploading = progress !== null;
  const canSubmit = stems.length > 0 && !!preset && !uploading && stemProblems.length === 0 && (!validation || !!validation.targets);

  const add = (files: File[]) => {
    const r = addStems(stems, files);
    setStems(r.stems);
    setNotices(r.messages);
    setSubmitError('');
  };
  const update = (i: number, patch: Partial<StemDraft>) => setStems((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const submit = async () => {
    if (!canSubmit || !preset) return;
    setSubmitError('');
    const form = new FormData();
    if (project.trim()) form.append('project_id', project.trim());
    form.append('preset', preset.key);
    form.append('stems_meta', JSON.stringify(stemsMeta(stems)));
    if (custom && validation?.targets) form.append('targets', JSON.stringify(validation.targets));
    form.append('options', JSON.stringify({ respect_user_gains: respectGains, bypass_parallel_comp: bypassParallel }));
    for (const s of stems) form.append(s.name, s.file as File, s.name);
    if (reference) form.append('reference', reference, reference.name);
    setProgress(0);
    const job = submitJob(form, (p) => setProgress(p.total > 0 ? p.loaded / p.total : 0));
    abortRef.current = job.abort;
    try {
      const r = await job.promise;
      navigate(`/jobs/${r.job_id}`);
    } catch (e) {
      setSubmitError(errorText(e));
      setProgress(null);
    } finally {
      abortRef.current = null;
    }
  };

  const totalBytes = stems.reduce((n, s) => n + s.file.size, 0) + (reference?.size ?? 0);

  return (
    <div className="page newjob">
      <h1>New job</h1>
      <p className="lede">Drop up to {MAX_STEMS} stems. MixMaster balances them into a mix, masters it to the preset&rsquo;s targets and explains every decision.</p>

      <section className="card" aria-labelledby="stems-h">
        <div className="card-head">
          <h2 id="stems-h">Stems <span className="count">{stems.length} / {MAX_STEMS}</span></h2>
          {stems.length > 0 && (
            <button type="button" className="ghost small" onClick={() => { setStems([]); setNotices([]); setSubmitError(''); }} disabled={uploading}>
              Remove all
            </button>
          )}
        </div>
        <div
          className={`dropzone${dragging ? ' over' : ''}${stems.length >= MAX_STEMS ? ' full' : ''}`}
          role="button"
          tabIndex={0}
          aria-describedby="drop-help"
          onClick={() => fileInput.current?.click()}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              fileInput.current?.click();
            }
          }}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            if (!uploading) add(Array.from(e.dataTransfer.files));
          }}
        >
          <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" /></svg>
          <strong>Drop stems here or choose files</strong>
          <span id="drop-help" className="hint">WAV, AIFF or FLAC · mono or stereo · up to {MAX_STEMS} stems</span>
        </div>
        <input
          ref={fileInput}
          type="file"
          multiple
          accept={AUDIO_EXTENSIONS.join(',')}
          hidden
          data-testid="stem-input"
          onChange={(e) => {
            add(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        {notices.length > 0 && (
          <ErrorBox onDismiss={() => setNotices([])}>
            {notices.map((n) => <p key={n}>{n}</p>)}
          </ErrorBox>
        )}
        {stems.length > 0 && (
          <div className="table-wrap">
            <table className="stems-edit">
              <caption className="sr-only">Stems to upload</caption>
              <thead>
                <tr>
                  <th scope="col">Stem</th>
                  <th scope="col">Role</th>
                  <th scope="col">Gain dB</th>
                  <th scope="col">Pan L/R</th>
                  <th scope="col">Mute</th>
                  <th scope="col"><span className="sr-only">Remove</span></th>
                </tr>
              </thead>
              <tbody>
                {stems.map((s, i) => (
                  <tr key={s.name} className={s.mute ? 'muted' : ''}>
                    <th scope="row" className="stem-name">
                      <span title={s.name}>{s.name}</span>
                      <small>{bytes(s.file.size)}</small>
                    </th>
                    <td data-label="Role">
                      <select
                        aria-label={`Role of ${s.name}`}
                        value={s.role}
                        onChange={(e) => update(i, { role: e.target.value as Role | '', roleGuessed: false })}
                      >
                        <option value="">auto (listen)</option>
                        {ROLES.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                      </select>
                      {s.roleGuessed && <small className="guess" title="Guessed from the file name">from name</small>}
                    </td>
                    <td data-label="Gain dB">
                      <input
                        className="num"
                        aria-label={`Gain of ${s.name} in dB`}
                        inputMode="decimal"
                        placeholder="0"
                        value={s.gainDb}
                        onChange={(e) => update(i, { gainDb: e.target.value })}
                      />
                    </td>
                    <td data-label="Pan">
                      <input
                        className="num"
                        aria-label={`Pan of ${s.name}, −100 left to 100 right`}
                        inputMode="numeric"
                        placeholder="auto"
                        value={s.pan}
                        onChange={(e) => update(i, { pan: e.target.value })}
                      />
                    </td>
                    <td data-label="Mute" className="mute-cell">
                      <input type="checkbox" aria-label={`Mute ${s.name}`} checked={s.mute} onChange={(e) => update(i, { mute: e.target.checked })} />
                    </td>
                    <td>
                      <button type="button" className="ghost small" aria-label={`Remove ${s.name}`} onClick={() => setStems((x) => x.filter((_, j) => j !== i))} disabled={uploading}>
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {stemProblems.length > 0 && <ErrorBox>{stemProblems.map((p) => <p key={p}>{p}</p>)}</ErrorBox>}
      </section>

      <section className="card" aria-labelledby="preset-h">
        <h2 id="preset-h">Preset and targets</h2>
        {presetError && <ErrorBox>{presetError}</ErrorBox>}
        {!presets && !presetError && <p className="hint">Loading presets…</p>}
        {presets && (
          <div className="presets" role="radiogroup" aria-label="Preset">
            {presets.map((p) => (
              <label key={p.key} className={`preset${p.key === presetKey ? ' selected' : ''}`}>
                <input type="radio" name="preset" value={p.key} checked={p.key === presetKey} onChange={() => setPresetKey(p.key)} />
                <span className="preset-name">{p.name}</span>
                <span className="preset-targets">{targetsLine(p)}</span>
                {p.description && <span className="preset-desc">{p.description}</span>}
              </label>
            ))}
          </div>
        )}
        <label className="check">
          <input type="checkbox" checked={custom} onChange={(e) => setCustom(e.target.checked)} disabled={!preset} />
          Custom targets (override the preset&rsquo;s)
        </label>
        {custom && draft && (
          <div className="targets-grid">
            {TARGET_FIELDS.map((f) => {
              const err = validation?.errors[f.key];
              return (
                <div key={f.key} className="field">
                  <label htmlFor={`t-${f.key}`}>{f.label} <span className="unit">{f.unit}</span></label>
                  <input
                    id={`t-${f.key}`}
                    className="num"
                    inputMode="decimal"
                    value={draft[f.key]}
                    placeholder={f.optional ? 'no limit' : ''}
                    aria-invalid={!!err}
                    aria-describedby={`t-${f.key}-help`}
                    onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                  />
                  <small id={`t-${f.key}-help`} className={err ? 'field-error' : 'hint'}>
                    {err ?? `${num(f.min, 0)} … ${num(f.max, 0)}${f.optional ? ', empty: preset' : ''}`}
                  </small>
                </div>
              );
            })}
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="opt-h">
        <h2 id="opt-h">Options</h2>
        <div className="options">
          <label className="check">
            <input type="checkbox" checked={respectGains} onChange={(e) => setRespectGains(e.target.checked)} />
            <span>Respect my gains <small className="hint">keep the stems&rsquo; levels and gains above; only process</small></span>
          </label>
          <label className="check">
            <input type="checkbox" checked={bypassParallel} onChange={(e) => setBypassParallel(e.target.checked)} />
            <span>Bypass parallel compression <small className="hint">no drum-bus crush</small></span>
          </label>
        </div>
        <div className="row2">
          <div className="field">
            <label htmlFor="reference">Reference track <span className="unit">optional</span></label>
            <input id="reference" type="file" accept={AUDIO_EXTENSIONS.join(',')} onChange={(e) => setReference(e.target.files?.[0] ?? null)} />
            <small className="hint">The master&rsquo;s tone is matched to it.</small>
          </div>
          <div className="field">
            <label htmlFor="project">Project name <span className="unit">optional</span></label>
            <input id="project" maxLength={200} value={project} onChange={(e) => setProject(e.target.value)} placeholder="e.g. Summer single" />
          </div>
        </div>
      </section>

      {submitError && (
        <div data-testid="submit-error">
          <ErrorBox onDismiss={() => setSubmitError('')}>{submitError}</ErrorBox>
        </div>
      )}
      <div className="submit-bar">
        {uploading ? (
          <div className="upload">
            <div className="upload-line">
              <span>Uploading {bytes(totalBytes)}… {Math.round((progress ?? 0) * 100)} %</span>
              <button type="button" onClick={() => abortRef.current?.()}>Cancel upload</button>
            </div>
            <ProgressBar value={progress ?? 0} label="Upload progress" />
          </div>
        ) : (
          <>
            <button type="button" className="primary big" disabled={!canSubmit} onClick={submit}>
              Mix and master {stems.length > 0 ? `${stems.length} stem${stems.length > 1 ? 's' : ''}` : ''}
            </button>
            <span className="hint">
              {stems.length === 0 ? 'Add at least one stem.' : validation && !validation.targets ? 'Fix the targets first.' : `${bytes(totalBytes)} to upload`}
            </span>
          </>
        )}
      </div>
    </div>
  );
}
