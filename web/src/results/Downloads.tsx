import { useState } from 'react';
import { downloadPath, getApiKey, mediaUrl, type DownloadKind } from '../lib/api';
import { errorText } from '../lib/apiError';

const FILES: { kind: DownloadKind; label: string; file: string }[] = [
  { kind: 'master', label: 'Master', file: 'master' },
  { kind: 'mix', label: 'Mix', file: 'mix' },
  { kind: 'report', label: 'Report (JSON)', file: 'report.json' },
];

export function Downloads({ id, format }: { id: string; format: string }) {
  const [error, setError] = useState('');
  const ext = format === 'flac24' ? '.flac' : '.wav';
  // Without an API key a plain link streams the file; with one, it is fetched with the
  // header and saved from an object URL.
  const onClick = async (e: React.MouseEvent, kind: DownloadKind, name: string) => {
    if (!getApiKey()) return;
    e.preventDefault();
    try {
      const { url, revoke } = await mediaUrl(id, kind);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(revoke, 10_000);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section className="card" aria-labelledby="dl-h">
      <h2 id="dl-h">Downloads</h2>
      <div className="downloads">
        {FILES.map((f) => {
          const name = f.file.includes('.') ? f.file : f.file + ext;
          return (
            <a key={f.kind} className={`button${f.kind === 'master' ? ' primary' : ''}`} href={downloadPath(id, f.kind)} download={name} onClick={(e) => onClick(e, f.kind, name)} data-testid={`download-${f.kind}`}>
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M12 4v11m0 0-4-4m4 4 4-4M5 19h14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" /></svg>
              {f.label} <small>{name}</small>
            </a>
          );
        })}
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
