/**
 * Requests to the app in integration tests, one line each: `send(method, path, headers, body)`
 * answers with the status, the body parsed from JSON, and the raw text and headers.
 */

/** The part of a Hono app that `send` uses. */
export interface RequestTarget {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

export interface Answer {
  status: number;
  /** The body parsed from JSON (undefined when the response has none); loose, as tests read it field by field. */
  body: Record<string, any>;
  /** The body as sent, for checks such as "this number appears nowhere". */
  text: string;
  headers: Headers;
}

/**
 * `send` for one app. An object body goes as JSON; a string goes as it is, under `contentType`
 * (a YAML plan, say).
 */
export function sendTo(app: RequestTarget) {
  return async function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Answer> {
    const response = await app.request(path, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any>, text, headers: response.headers };
  };
}

export type Send = ReturnType<typeof sendTo>;
