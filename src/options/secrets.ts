import { Redactor, Secret } from '../errors/index.js';
import { OPTION_CATALOG } from './catalog.js';
import type { ConnectionOptions } from './resolve.js';

/**
 * A new redactor for one connection: every secret option's value (and its derived forms), the
 * Basic forms of User/Password, ClientID/ClientSecret and ProxyUser/ProxyPassword, and the
 * secrets the environment supplies by default (AWS). Credentials obtained later (tokens) are
 * added by the HTTP client as requests carry them.
 */
export function redactorFor(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Redactor {
  const r = new Redactor();
  const o = options as unknown as Record<string, unknown>;
  for (const spec of OPTION_CATALOG) {
    if (spec.kind !== 'secret') continue;
    const v = o[spec.key];
    if (!(v instanceof Secret)) continue;
    r.add(v);
    // CustomAuthParams holds several values separated by semicolons.
    for (const part of v.reveal().split(';')) r.add(part);
  }
  r.addPair(str(o.user), o.password as Secret | undefined);
  r.addPair(str(o.clientId), o.clientSecret as Secret | undefined);
  r.addPair(str(o.proxyUser), o.proxyPassword as Secret | undefined);
  r.add(env.AWS_SECRET_ACCESS_KEY).add(env.AWS_SESSION_TOKEN);
  return r;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
