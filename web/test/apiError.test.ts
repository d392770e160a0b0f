import { describe, expect, it } from 'vitest';
import { ApiError, errorText, parseApiError } from '../src/lib/apiError';

describe('parseApiError', () => {
  it("shows the API's error.message and keeps its code", () => {
    const e = parseApiError(422, '{"error":{"code":"too_many_stems","message":"13 stems sent; the limit is 12"}}');
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe('13 stems sent; the limit is 12');
    expect(e.code).toBe('too_many_stems');
    expect(e.status).toBe(422);
  });

  it('capitalises the first letter of the message', () => {
    expect(parseApiError(409, '{"error":{"code":"not_ready","message":"job abc is running; downloads exist once it succeeded"}}').message).toBe(
      'Job abc is running; downloads exist once it succeeded',
    );
  });

  it('flags 401 so the page asks for an API key', () => {
    const e = parseApiError(401, '{"error":{"code":"unauthorized","message":"send your API key as `Authorization: Bearer <key>`"}}');
    expect(e.unauthorized).toBe(true);
    expect(parseApiError(401, '').message).toMatch(/API key/);
  });

  it('falls back to plain words for bodies that are not API errors', () => {
    expect(parseApiError(502, '<html><body>Bad Gateway</body></html>').message).toBe(
      'The server had a problem (HTTP 502). Try again; if it persists, tell the operator.',
    );
    expect(parseApiError(413, '').message).toBe('The upload is larger than this server accepts.');
    expect(parseApiError(429, null).message).toMatch(/busy/);
    expect(parseApiError(404, '{"detail":"x"}').message).toMatch(/^Not found/);
    expect(parseApiError(418, '').message).toBe('The request failed (HTTP 418).');
  });

  it('explains a network failure', () => {
    const e = parseApiError(0, null);
    expect(e.code).toBe('network_error');
    expect(e.message).toMatch(/Cannot reach the MixMaster server/);
  });

  it('accepts a bare string error', () => {
    expect(parseApiError(400, '{"error":"bad multipart"}').message).toBe('Bad multipart');
  });

  it('errorText turns anything thrown into a sentence', () => {
    expect(errorText(new ApiError('Nope.', 400, 'x'))).toBe('Nope.');
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText(42)).toBe('Something went wrong.');
  });
});
