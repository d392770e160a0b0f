// Hash routes (#/new, #/jobs, #/jobs/<id>): they work behind any static file server,
// with no rewrite rule for deep links.
import { useEffect, useState } from 'react';

export type Route = { page: 'new' } | { page: 'jobs' } | { page: 'job'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/new';
  const m = /^\/jobs\/([0-9a-zA-Z]+)$/.exec(path);
  if (m) return { page: 'job', id: m[1] };
  if (path === '/jobs') return { page: 'jobs' };
  return { page: 'new' };
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
