/**
 * A `fetch` that sends through an HttpClient, for libraries that take one (oauth4webapi's
 * `customFetch`): their requests then honour the connection's proxy, WSTimeout, TLS settings,
 * MaxResponseSize and origin policy like every other request restsql sends.
 */
import type { HttpClient, HttpRequest } from './contract.js';

/** The part of the fetch signature such libraries call. */
export type FetchLike = (url: string, init: { method?: string; headers?: ConstructorParameters<typeof Headers>[0]; body?: unknown; signal?: AbortSignal | null; redirect?: string }) => Promise<Response>;

export function fetchThrough(http: HttpClient): FetchLike {
  return async (url, init) => {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new TypeError(`fetchThrough: ${method} is not sent`);
    const headers = Object.fromEntries(new Headers(init.headers ?? {}));
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const req: HttpRequest = { url, method, headers, ...(body !== undefined ? { body } : {}), anyStatus: true, ...(init.signal ? { signal: init.signal } : {}) };
    const res = await http.send(req);
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      // The client has decoded the body already; its length and encoding no longer apply.
      if (v === undefined || k === 'content-encoding' || k === 'content-length') continue;
      for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
    }
    const nullBody = res.status === 204 || res.status === 304;
    return new Response(nullBody ? null : new Uint8Array(res.body), { status: res.status, headers: out });
  };
}
