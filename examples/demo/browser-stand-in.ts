/**
 * A scripted stand-in for the person at the browser, for `npm run demo` and the tests: it follows
 * the login pages of the demo authorization server (oidc-provider dev interactions), fills in the
 * login form, approves consent, and lets the final redirect reach restsql's loopback listener.
 *
 * As a command (for $BROWSER): `node browser-stand-in.js URL`. RESTSQL_STANDIN_MODE changes what it
 * does, for tests: normal | deny | tamper-state | forge-first (a forged callback, then the real
 * one) | wrong-iss | ignore | print (write the final
 * redirect URL to RESTSQL_STANDIN_OUT instead of following it). RESTSQL_STANDIN_LOG appends what it
 * did, and any failure, to a file.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';

// The loopback listener's https certificate is self-signed; this stand-in accepts it, as the person
// at the browser is told they may. Only loopback is ever contacted.
const loopbackAgent = new Agent({ connect: { rejectUnauthorized: false } });

function assertLoopback(url: string): void {
  if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url)) throw new Error(`refusing non-loopback URL ${url}`);
}

export interface StandInOptions {
  readonly login?: string;
  readonly password?: string;
  readonly userCode?: string;
  /** Stop when a redirect goes to a URL with this prefix and return it instead of following it. */
  readonly stopAt?: string;
  /** Decline at the login page (the server then redirects with error=access_denied). */
  readonly deny?: boolean;
}

/** Follows redirects, posts each page's first form (login, consent), keeps cookies (recipe 4.4). */
export async function httpBrowser(startUrl: string, o: StandInOptions = {}): Promise<{ status?: number; url: string; html?: string; redirect?: URL }> {
  const jar = new Map<string, string>();
  let url = startUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 25; step++) {
    assertLoopback(url);
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      dispatcher: loopbackAgent,
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const kv = c.split(';')[0]!;
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      url = new URL(res.headers.get('location')!, url).href;
      method = 'GET';
      body = undefined;
      if (o.stopAt && url.startsWith(o.stopAt)) return { url, redirect: new URL(url) };
      continue;
    }
    const html = await res.text();
    const m = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
    if (!m || !/method="post"/i.test(m[1]!)) return { status: res.status, url, html };
    if (o.deny && /\/interaction\/[^/?#]+$/.test(new URL(url).pathname)) {
      url = new URL(`${new URL(url).pathname}/abort`, url).href;
      continue;
    }
    const fields = new URLSearchParams();
    for (const [tag] of m[2]!.matchAll(/<input\b[^>]*>/gi)) {
      const name = /\bname="([^"]*)"/.exec(tag)?.[1];
      if (name) fields.set(name, /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '');
    }
    if (fields.has('login')) {
      fields.set('login', o.login ?? 'alice');
      fields.set('password', o.password ?? 'pw');
    }
    if (fields.has('user_code') && o.userCode) fields.set('user_code', o.userCode);
    url = new URL(/action="([^"]+)"/.exec(m[1]!)![1]!.replaceAll('&amp;', '&'), url).href;
    method = 'POST';
    body = fields.toString();
  }
  throw new Error('browser stand-in: too many steps');
}

/** Runs the stand-in for one authorization (or device verification) URL, per RESTSQL_STANDIN_MODE. */
export async function standIn(startUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const mode = env.RESTSQL_STANDIN_MODE ?? 'normal';
  const log = (m: string) => env.RESTSQL_STANDIN_LOG && appendFileSync(env.RESTSQL_STANDIN_LOG, m + '\n');
  log(`open ${startUrl}`);
  if (mode === 'ignore') return;
  const start = new URL(startUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  if (!redirectUri) {
    // Device verification page: fill in the user code it carries.
    await httpBrowser(startUrl, { userCode: start.searchParams.get('user_code') ?? '' });
    log('device done');
    return;
  }
  const r = await httpBrowser(startUrl, { stopAt: redirectUri, deny: mode === 'deny' });
  if (!r.redirect) throw new Error(`login did not come back to ${redirectUri} (ended at ${r.url}, HTTP ${r.status})`);
  const back = r.redirect;
  if (mode === 'tamper-state') back.searchParams.set('state', 'forged-' + back.searchParams.get('state'));
  if (mode === 'wrong-iss') back.searchParams.set('iss', 'https://evil.example');
  log(`callback ${back.searchParams.has('code') ? 'code' : 'error'}`);
  if (mode === 'print') {
    writeFileSync(env.RESTSQL_STANDIN_OUT ?? '/dev/stdout', back.href + '\n');
    return;
  }
  assertLoopback(back.href);
  if (mode === 'forge-first') {
    // What any web page can do while a login waits: <img src="http://127.0.0.1:PORT/cb?code=x&state=wrong">.
    const forged = new URL(back.href);
    forged.searchParams.set('state', 'wrong');
    forged.searchParams.set('code', 'x');
    const f = await fetch(forged.href, { dispatcher: loopbackAgent });
    log(`forged ${f.status}`);
    await f.arrayBuffer();
  }
  const res = await fetch(back.href, { dispatcher: loopbackAgent });
  log(`listener ${res.status}`);
  await res.arrayBuffer();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.argv[process.argv.length - 1]!;
  standIn(url).catch((e: unknown) => {
    const msg = `browser stand-in failed: ${e instanceof Error ? e.message : String(e)}`;
    if (process.env.RESTSQL_STANDIN_LOG) appendFileSync(process.env.RESTSQL_STANDIN_LOG, msg + '\n');
    process.stderr.write(msg + '\n');
    process.exitCode = 1;
  });
}
