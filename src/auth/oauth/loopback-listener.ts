import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { lazyRequire } from '../../util/lazy-require.js';
import { RestSqlError } from '../../errors/index.js';
import { constantTimeEqual } from '../../util/constant-time.js';

const httpModule = lazyRequire<typeof import('node:http')>('node:http');
const httpsModule = lazyRequire<typeof import('node:https')>('node:https');

export interface CallbackExpectations {
  readonly state: string;
  /** The issuer `iss` must equal (RFC 9207 §2.4), when known. */
  readonly issuer?: string;
  /** When the issuer is not known: `iss`, if sent, must at least share the authorization endpoint's origin. */
  readonly authorizationEndpoint?: string;
  /** The server advertises that it always sends `iss`. */
  readonly issRequired: boolean;
}

export interface ListenerOptions {
  readonly redirectUri: string;
  readonly expect: CallbackExpectations;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly tls?: { cert: string; key: string };
  /**
   * Servers already listening on RedirectURI's loopback address and port, to use instead of
   * binding them here (embedders and tests that listen on port 0 first, so no other process can
   * take the port between choosing it and binding it). The listener handles their requests and
   * closes them when it is done; `tls` is ignored (the servers are what they are).
   */
  readonly listening?: readonly Server[];
}

export interface CallbackListener {
  /** Resolves with the authorization code after one valid callback; rejects on a bad one with this login's state, timeout or abort. */
  readonly result: Promise<{ code: string }>;
  /** Feeds a redirected URL pasted by the user (headless login) through the same checks. */
  deliver(url: string): void;
  close(): Promise<void>;
}


function page(title: string, message: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>restsql: ${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`;
}

/**
 * Checks an authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207) and returns the code,
 * or throws the matching authentication error. State is checked first, so an error response from
 * someone else is reported as a state mismatch rather than believed.
 */
export function checkCallback(params: URLSearchParams, expect: CallbackExpectations): string {
  const state = params.get('state');
  if (state === null || !constantTimeEqual(state, expect.state)) {
    throw new RestSqlError('AUTH_STATE_MISMATCH', 'The login callback carried a state that does not match this login, so it was refused (RFC 6749 §10.12).', {
      hint: 'Start the login again (restsql login) and finish it in the browser window it opens; do not reuse an old one.',
    });
  }
  const iss = params.get('iss');
  if (iss !== null) {
    const ok = expect.issuer !== undefined ? iss === expect.issuer : expect.authorizationEndpoint !== undefined && sameOrigin(iss, expect.authorizationEndpoint);
    if (!ok) {
      throw new RestSqlError('AUTH_ISSUER_MISMATCH', `The login callback names issuer '${iss}', not the authorization server restsql sent you to (RFC 9207).`, {
        hint: 'This can be a mix-up attack. Check AuthURI/IssuerURI; if they are right, log in again.',
        details: { iss },
      });
    }
  } else if (expect.issRequired) {
    throw new RestSqlError('AUTH_ISSUER_MISMATCH', 'The authorization server promises an iss parameter on login callbacks, and this one has none (RFC 9207 §2.4).', {
      hint: 'Log in again; if it persists, check IssuerURI.',
    });
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    throw new RestSqlError('AUTH_DENIED', `The authorization server refused the login: ${error}${description ? ` (${description})` : ''}.`, {
      hint: error === 'access_denied' ? 'The login or consent was declined; run the command again and approve access.' : 'Check ClientID, RedirectURI and Scope against the application registered with the server.',
      details: { error },
    });
  }
  const code = params.get('code');
  if (!code) {
    throw new RestSqlError('AUTH_DENIED', 'The login callback has neither a code nor an error.', { hint: 'Log in again.' });
  }
  return code;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The literal addresses to bind for a loopback host: `localhost` means both stacks (recipe 4.7). */
export function bindAddresses(hostname: string): { address: string; required: boolean }[] {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return [{ address: '127.0.0.1', required: true }, { address: '::1', required: false }];
  return [{ address: h, required: true }];
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.removeListener('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: address, exclusive: true });
  });
}

function listenError(e: NodeJS.ErrnoException, port: number, address: string): RestSqlError {
  if (e.code === 'EADDRINUSE') {
    return new RestSqlError('AUTH_LISTENER', `RedirectURI: port ${port} on ${address} is already in use, so restsql cannot receive the login callback.`, {
      hint: `Stop the program using port ${port} (e.g. \`ss -ltnp | grep :${port}\`), or register another loopback redirect URI port and set RedirectURI to it.`,
      details: { option: 'RedirectURI', port },
      cause: e,
    });
  }
  if (e.code === 'EACCES') {
    return new RestSqlError('AUTH_LISTENER', `RedirectURI: this process may not listen on port ${port} (ports below 1024 need privileges).`, {
      hint: 'Register a redirect URI with a port of 1024 or above (for example http://localhost:8080) and set RedirectURI to it.',
      details: { option: 'RedirectURI', port },
      cause: e,
    });
  }
  return new RestSqlError('AUTH_LISTENER', `RedirectURI: cannot listen on ${address}:${port}: ${e.message}`, {
    hint: 'Check RedirectURI.',
    details: { option: 'RedirectURI', port },
    cause: e,
  });
}

/**
 * Listens on RedirectURI's loopback host and port for exactly one valid callback (RFC 8252 §7.3),
 * then closes; also closes on timeout or abort. Other paths get a 404 and are ignored, and so are
 * callbacks with a wrong state (a 400 page). A callback with this login's state settles it, even
 * as a failure (a wrong `iss`, `error=access_denied`). A pasted URL (`deliver`) is the user's own
 * act: a wrong state there fails the login.
 */
export async function startCallbackListener(o: ListenerOptions): Promise<CallbackListener> {
  const target = new URL(o.redirectUri);
  // The URL parser drops a default port (http://localhost:80); RedirectURI always names one.
  const port = target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
  const path = target.pathname || '/';
  let settle!: { resolve: (v: { code: string }) => void; reject: (e: unknown) => void };
  const result = new Promise<{ code: string }>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {});
  let done = false;
  let closed: Promise<void> = Promise.resolve();
  const servers: Server[] = [];
  /** Answers being written: the browser must get its page before the connections are dropped. */
  const answering = new Set<Promise<void>>();

  const finish = (outcome: { code: string } | Error) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // Let the response page go out (the answer is written after this runs), then stop listening
    // and drop any kept-alive browser sockets.
    closed = new Promise<void>((resolve) =>
      setImmediate(async () => {
        await Promise.all(answering);
        let open = servers.length;
        if (open === 0) resolve();
        for (const s of servers) {
          s.close(() => --open === 0 && resolve());
          s.closeAllConnections();
        }
      }),
    );
    if (outcome instanceof Error) settle.reject(outcome);
    else settle.resolve(outcome);
  };

  /** Callbacks to the listener with a wrong or no state: not ours, so ignored (see onRequest). */
  let forged = 0;

  const handle = (params: URLSearchParams): { status: number; html: string } => {
    try {
      const code = checkCallback(params, o.expect);
      finish({ code });
      return { status: 200, html: page('Logged in', 'restsql has the authorization it needs. You can close this window and return to the terminal.') };
    } catch (e) {
      finish(e as Error);
      return { status: 400, html: page('Login failed', (e as Error).message) };
    }
  };

  /**
   * A callback without this login's state cannot come from the authorization server's redirect
   * for it: any web page can make the browser request /cb?code=x&state=wrong (an <img>). It is
   * answered with an error page and ignored, so it cannot abort the login in progress; the real
   * redirect still completes it (RFC 6749 §10.12: the state binds the callback to this login).
   */
  const handleRequest = (params: URLSearchParams): { status: number; html: string } => {
    const state = params.get('state');
    if (state === null || !constantTimeEqual(state, o.expect.state)) {
      forged++;
      return { status: 400, html: page('Not this login', 'This callback does not carry the state of the login restsql is waiting for, so it was ignored. Finish the login in the window restsql opened.') };
    }
    return handle(params);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const isCallback = url.pathname === path && (url.searchParams.has('state') || url.searchParams.has('code') || url.searchParams.has('error'));
    if (done || req.method !== 'GET' || !isCallback) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
      res.end(page('Not found', done ? 'This login has already finished.' : 'This is restsql\'s login callback listener.'));
      return;
    }
    const { status, html } = handleRequest(url.searchParams);
    const sent = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    answering.add(sent);
    void sent.then(() => answering.delete(sent));
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(html);
  };

  for (const server of o.listening ?? []) {
    server.on('request', onRequest);
    servers.push(server);
  }
  for (const { address, required } of o.listening ? [] : bindAddresses(target.hostname)) {
    // node:http and node:https load when a login listens, not at every start-up.
    const server = o.tls ? httpsModule().createServer({ cert: o.tls.cert, key: o.tls.key }, onRequest) : httpModule().createServer(onRequest);
    try {
      await listen(server, port, address);
      servers.push(server);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // ::1 may simply not exist (no IPv6); anything else on it (in use) is refused, since another
      // process could then receive the callback meant for us.
      if (!required && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) continue;
      for (const s of servers) s.close();
      throw listenError(err, port, address);
    }
  }

  const timer = setTimeout(() => {
    const ignored = forged
      ? ` ${forged} callback${forged === 1 ? '' : 's'} with a state not of this login (forged, or from an old login) ${forged === 1 ? 'was' : 'were'} ignored.`
      : '';
    finish(new RestSqlError('AUTH_TIMEOUT', `The login was not completed within ${Math.round(o.timeoutMs / 1000)} seconds.${ignored}`, {
      hint: forged
        ? 'Run the command again and finish the login in the browser window restsql opens (not an older one); if callbacks keep being ignored, another web page may be sending them.'
        : 'Run the command again and finish the login in the browser, or raise LoginTimeout.',
      details: { option: 'LoginTimeout', ignoredCallbacks: forged },
    }));
  }, o.timeoutMs);
  const onAbort = () => finish(new RestSqlError('ABORTED', 'The login was cancelled.', { hint: 'Run the command again to log in.' }));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  return {
    result,
    deliver(pasted: string) {
      if (done) return;
      let url: URL;
      try {
        url = new URL(pasted.trim());
      } catch {
        finish(new RestSqlError('AUTH_DENIED', 'The pasted text is not a URL.', { hint: 'Paste the whole address the browser was sent to after the login (it contains code= and state=).' }));
        return;
      }
      handle(url.searchParams);
    },
    /** Stops listening; resolves once the port is free again. */
    close: async () => {
      finish(new RestSqlError('ABORTED', 'The login was cancelled.'));
      await result.catch(() => {});
      await closed;
    },
  };
}
