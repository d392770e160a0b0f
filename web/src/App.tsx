import { useEffect, useRef, useState } from 'react';
import { getApiKey, setApiKey, unauthorizedListeners } from './lib/api';
import { useRoute } from './router';
import { NewJobPage } from './pages/NewJobPage';
import { JobsPage } from './pages/JobsPage';
import { JobPage } from './pages/JobPage';

function ApiKeyBar({ onClose }: { onClose: () => void }) {
  const [value, setValue] = useState(getApiKey());
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      className="keybar"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(value.trim());
        onClose();
      }}
    >
      <label htmlFor="api-key">This server needs an API key</label>
      <input
        id="api-key"
        ref={input}
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="Paste your API key"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="primary">Save key</button>
      {getApiKey() && (
        <button type="button" onClick={() => { setApiKey(''); setValue(''); }}>Forget key</button>
      )}
      <span className="hint">Kept in this browser only and sent as <code>Authorization: Bearer</code>.</span>
    </form>
  );
}

export function App() {
  const route = useRoute();
  const [needKey, setNeedKey] = useState(false);
  const [keyEpoch, setKeyEpoch] = useState(0);
  useEffect(() => {
    const on401 = () => setNeedKey(true);
    const onKey = () => setKeyEpoch((n) => n + 1);
    unauthorizedListeners.add(on401);
    window.addEventListener('mixmaster-apikey', onKey);
    return () => {
      unauthorizedListeners.delete(on401);
      window.removeEventListener('mixmaster-apikey', onKey);
    };
  }, []);

  const tab = (page: string, href: string, label: string) => (
    <a href={href} className={route.page === page ? 'tab active' : 'tab'} aria-current={route.page === page ? 'page' : undefined}>
      {label}
    </a>
  );

  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="#/new" aria-label="MixMaster home">
          <svg viewBox="0 0 16 16" width="22" height="22" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="var(--accent)" />
            <path d="M3 11V5m3 8V3m3 9V6m3 4V7" stroke="#06141a" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
          <span>MixMaster</span>
        </a>
        <nav aria-label="Main">
          {tab('new', '#/new', 'New job')}
          {tab('jobs', '#/jobs', 'Jobs')}
        </nav>
        <button type="button" className="ghost keybtn" onClick={() => setNeedKey((v) => !v)} aria-expanded={needKey}>
          {getApiKey() ? 'API key ✓' : 'API key'}
        </button>
      </header>
      {needKey && <ApiKeyBar onClose={() => setNeedKey(false)} />}
      <main id="main" tabIndex={-1} key={keyEpoch}>
        {route.page === 'new' && <NewJobPage />}
        {route.page === 'jobs' && <JobsPage />}
        {route.page === 'job' && <JobPage id={route.id} />}
      </main>
    </>
  );
}
