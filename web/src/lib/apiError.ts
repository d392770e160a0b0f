// Errors in plain words. The API answers {"error":{"code","message"}}; its message
// is shown as is. Anything else (a proxy's HTML page, an empty body, no network)
// becomes one sentence that says what happened and what to do.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

function fallbackMessage(status: number): string {
  if (status === 0) return 'Cannot reach the MixMaster server. Check that it is running and that you are online.';
  if (status === 401) return 'This server needs an API key. Enter it above and try again.';
  if (status === 403) return 'This API key may not do that.';
  if (status === 404) return 'Not found: the job may have expired or been deleted.';
  if (status === 409) return 'That is not possible in the job\u2019s current state.';
  if (status === 413) return 'The upload is larger than this server accepts.';
  if (status === 415) return 'The server did not understand the upload format.';
  if (status === 422) return 'The server refused the request as invalid.';
  if (status === 429) return 'The server is busy. Try again in a minute.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again; if it persists, tell the operator.`;
  return `The request failed (HTTP ${status}).`;
}

/** Builds the error for a failed response from its status and body text. */
export function parseApiError(status: number, body: string | null | undefined): ApiError {
  let code = status === 0 ? 'network_error' : `http_${status}`;
  let message = '';
  if (body) {
    try {
      const j: unknown = JSON.parse(body);
      const err = (j as { error?: unknown })?.error;
      if (err && typeof err === 'object') {
        const e = err as { code?: unknown; message?: unknown };
        if (typeof e.code === 'string' && e.code) code = e.code;
        if (typeof e.message === 'string') message = e.message.trim();
      } else if (typeof err === 'string') {
        message = err.trim();
      }
    } catch {
      // not JSON: a proxy page or plain text; not shown (it may be a whole HTML page)
    }
  }
  if (!message) message = fallbackMessage(status);
  else message = message.charAt(0).toUpperCase() + message.slice(1);
  return new ApiError(message, status, code);
}

/** Any thrown value as a sentence for the page. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong.';
}
