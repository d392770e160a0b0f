// The HTTP API client (contract: docs/openapi.json). Same origin by default; the API
// key, when the server needs one, is kept in localStorage and sent as a Bearer token.
import { ApiError, parseApiError } from './apiError';
import { SseParser } from './sse';
import type { Job, Preset } from './types';

const KEY_STORAGE = 'mixmaster.apiKey';

export function getApiKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // storage disabled: the key lives for this page only
  }
  window.dispatchEvent(new Event('mixmaster-apikey'));
}

/** Listeners told when a request was refused for want of a key (the header then asks for one). */
export const unauthorizedListeners = new Set<() => void>();

function authHeaders(): Record<string, string> {
  const key = getApiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function raise(err: ApiError): never {
  if (err.unauthorized) unauthorizedListeners.forEach((f) => f());
  throw err;
}

async function request<T>(method: string, path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { Accept: 'application/json', ...authHeaders() }, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    raise(parseApiError(0, null));
  }
  const text = await res.text();
  if (!res.ok) raise(parseApiError(res.status, text));
  return (text ? JSON.parse(text) : {}) as T;
}

export const api = {
  presets: (signal?: AbortSignal) => request<{ presets: Preset[] }>('GET', '/v1/presets', signal).then((r) => r.presets),
  jobs: (signal?: AbortSignal) => request<{ jobs: Job[] }>('GET', '/v1/jobs', signal).then((r) => r.jobs),
  job: (id: string, signal?: AbortSignal) => request<Job>('GET', `/v1/jobs/${encodeURIComponent(id)}`, signal),
  cancel: (id: string) => request<{ status: string }>('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`),
  remove: (id: string) => request<unknown>('DELETE', `/v1/jobs/${encodeURIComponent(id)}`),
  report: <T>(id: string, signal?: AbortSignal) => request<T>('GET', downloadPath(id, 'report'), signal),
};

export type DownloadKind = 'mix' | 'master' | 'report' | 'preview' | 'mix_preview' | 'stems_preview';

export function downloadPath(id: string, kind: DownloadKind): string {
  return `/v1/jobs/${encodeURIComponent(id)}/download/${kind}`;
}

/**
 * A URL the browser can use for a download or an <audio> element. Without an API key
 * it is the API path itself (streamed, seekable); with one, the file is fetched with
 * the header and handed over as an object URL (the caller revokes it).
 */
export async function mediaUrl(id: string, kind: DownloadKind, signal?: AbortSignal): Promise<{ url: string; revoke: () => void }> {
  const path = downloadPath(id, kind);
  if (!getApiKey()) return { url: path, revoke: () => {} };
  let res: Response;
  try {
    res = await fetch(path, { headers: authHeaders(), signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    raise(parseApiError(0, null));
  }
  if (!res.ok) raise(parseApiError(res.status, await res.text()));
  const url = URL.createObjectURL(await res.blob());
  return { url, revoke: () => URL.revokeObjectURL(url) };
}

export interface SubmitProgress {
  loaded: number;
  total: number;
}

/** POST /v1/jobs with upload progress (XMLHttpRequest: fetch has no upload progress). */
export function submitJob(
  form: FormData,
  onProgress: (p: SubmitProgress) => void,
): { promise: Promise<{ job_id: string; status: string }>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<{ job_id: string; status: string }>((resolve, reject) => {
    xhr.open('POST', '/v1/jobs');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(parseApiError(xhr.status >= 500 ? xhr.status : 502, null));
        }
      } else {
        const err = parseApiError(xhr.status, xhr.responseText);
        if (err.unauthorized) unauthorizedListeners.forEach((f) => f());
        reject(err);
      }
    };
    xhr.onerror = () => reject(parseApiError(0, null));
    xhr.onabort = () => reject(new ApiError('Upload cancelled.', 0, 'aborted'));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
export const isTerminal = (status: string) => TERMINAL.has(status);

/**
 * Follows a job: Server-Sent Events from /events (read through fetch so the API key
 * header goes along), falling back to polling GET /v1/jobs/{id} every second when the
 * stream fails or ends early. Returns a stop function.
 */
export function watchJob(
  id: string,
  onJob: (job: Job, via: 'sse' | 'poll') => void,
  onError: (e: ApiError) => void,
): () => void {
  const ctrl = new AbortController();
  let stopped = false;
  let last: Job | null = null;
  const deliver = (job: Job, via: 'sse' | 'poll') => {
    last = job;
    onJob(job, via);
  };

  const poll = async () => {
    while (!stopped) {
      try {
        const job = await api.job(id, ctrl.signal);
        deliver(job, 'poll');
        if (isTerminal(job.status)) return;
      } catch (e) {
        if (stopped) return;
        if (e instanceof ApiError) {
          onError(e);
          if (e.status === 404 || e.status === 401) return;
        }
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const stream = async () => {
    const res = await fetch(`/v1/jobs/${encodeURIComponent(id)}/events`, {
      headers: { Accept: 'text/event-stream', ...authHeaders() },
      signal: ctrl.signal,
    });
    if (!res.ok) throw parseApiError(res.status, await res.text());
    if (!res.body) throw new Error('no stream');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const ev of parser.push(value)) {
        if (ev.event === 'error') throw parseApiError(404, ev.data);
        try {
          deliver(JSON.parse(ev.data) as Job, 'sse');
        } catch {
          // a malformed event: skip it
        }
      }
    }
  };

  stream()
    .catch((e) => {
      if (stopped) return;
      if (e instanceof ApiError && (e.status === 404 || e.status === 401)) {
        onError(e);
        stopped = true;
      }
    })
    .finally(() => {
      const current = last as Job | null;
      if (!stopped && !(current && isTerminal(current.status))) void poll();
    });

  return () => {
    stopped = true;
    ctrl.abort();
  };
}
