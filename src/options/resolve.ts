import { RestSqlError, Secret } from '../errors/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { HEADER_NAME_HINT, isHeaderName } from '../util/header-name.js';
import { authMethodByCode } from './auth-methods.js';
import { OPTION_CATALOG, optionNamed, type OptionSpec } from './catalog.js';
import type { RawOption } from './connection-string.js';
import { refusedOption } from './effects.js';

type Catalog = (typeof OPTION_CATALOG)[number];
interface KindValue {
  string: string;
  secret: Secret;
  integer: number;
  boolean: boolean;
  enum: number;
  url: string;
  path: string;
}
type ValueOf<S extends Catalog> = KindValue[S['kind']];

/** The typed, validated options. Options with a catalog default are always present. */
export type ConnectionOptions = {
  readonly [S in Catalog as S['key']]: S extends { default: unknown } ? ValueOf<S> : ValueOf<S> | undefined;
};

/**
 * `${NAME}` reads environment variable NAME; `$${` is a literal `${`. Lets secrets stay
 * out of DSN files and shell history, as the seed asks of the client secret.
 */
function expandEnv(value: string, option: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\$\{|\$\{([^}]*)\}/g, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const n = (name ?? '').trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: '\${${n}}' is not a valid environment variable reference.`, {
        hint: 'Write ${NAME} with a name of letters, digits and underscores, or $${ for a literal ${.',
        details: { option },
      });
    }
    const v = env[n];
    if (v === undefined) {
      throw new RestSqlError('CONFIG_ENV_VAR_MISSING', `${option} refers to environment variable ${n}, which is not set.`, {
        hint: `Set it (export ${n}=...) or write the value directly.`,
        details: { option, variable: n },
      });
    }
    return v;
  });
}

function invalid(spec: OptionSpec, source: string, what: string, hint: string): RestSqlError {
  return new RestSqlError('CONFIG_INVALID_VALUE', `${spec.name} (${source}): ${what}`, { hint, details: { option: spec.name, source } });
}

function parseEnum(spec: OptionSpec, raw: string, source: string): number {
  const choices = spec.choices ?? [];
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw);
    if (choices.some((c) => c.value === n)) return n;
  } else {
    const hit = choices.find((c) => c.names.some((name) => norm(name) === norm(raw)));
    if (hit) return hit.value;
  }
  const list = choices.map((c) => `${c.value} (${c.names[0]})`).join(', ');
  const suggestion = didYouMean(raw, choices.flatMap((c) => c.names));
  return (() => {
    throw invalid(spec, source, `'${raw}' is not a valid value.${suggestion}`, `Use one of: ${list}.`);
  })();
}

function parseUrl(spec: OptionSpec, raw: string, source: string): string {
  let target = raw;
  if (spec.methodPrefix) {
    const m = /^(GET|POST)\s+(.*)$/i.exec(raw);
    if (m) target = m[2] as string;
  }
  // RestSamplePath and HealthURI may be relative to HostName; those are resolved later.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    if (spec.key === 'restSamplePath' || spec.key === 'healthUri') return raw;
    throw invalid(spec, source, `'${target}' is not an absolute URL.`, 'Write a full URL such as https://api.example.com/path.');
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw invalid(spec, source, `'${target}' is not a valid URL.`, 'Write a full URL such as https://api.example.com/path.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(spec, source, `scheme '${url.protocol}' is not supported.`, 'Use an http:// or https:// URL.');
  }
  return raw;
}

/** Converts one raw string to the spec's type, or throws an error naming the option and its source. */
function convertValue(spec: OptionSpec, raw: string, source: string): string | number | boolean | Secret {
  switch (spec.kind) {
    case 'string':
    case 'path':
      return raw;
    case 'secret':
      return new Secret(raw);
    case 'url':
      return parseUrl(spec, raw, source);
    case 'boolean': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw invalid(spec, source, `'${raw}' is not a boolean.`, 'Use 1 or 0 (true/false and yes/no are accepted too).');
    }
    case 'integer': {
      if (!/^[+-]?\d+$/.test(raw)) throw invalid(spec, source, `'${raw}' is not a whole number.`, `Give a whole number${spec.min !== undefined ? ` from ${spec.min}` : ''}${spec.max !== undefined ? ` to ${spec.max}` : ''}.`);
      const n = Number(raw);
      if (n === 0 && spec.zeroMeansDefault && spec.default !== undefined) return spec.default;
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw invalid(spec, source, `${n} is out of range.`, `Give a whole number from ${spec.min ?? '-∞'} to ${spec.max ?? '∞'}.`);
      }
      return n;
    }
    case 'enum':
      return parseEnum(spec, raw, source);
    default: {
      const never: never = spec.kind;
      throw new Error(`unhandled option kind ${String(never)}`);
    }
  }
}

export interface ResolveInput {
  /** Lists in increasing precedence: DSN entries first, then the connection string, then overrides. */
  readonly layers: readonly (readonly RawOption[])[];
  readonly env?: NodeJS.ProcessEnv;
  /** false: skip the checks between options (a first pass that only needs RestConfigFile). */
  readonly checkCombination?: boolean;
}

/** Maps raw keys to the catalog, rejects unknown and repeated options, expands `${NAME}`, converts and validates. */
export function resolveOptions(input: ResolveInput): ConnectionOptions {
  const env = input.env ?? process.env;
  const chosen = new Map<string, { spec: OptionSpec; raw: RawOption }>();
  const allNames = (OPTION_CATALOG as readonly OptionSpec[]).flatMap((s) => [s.name, ...s.aliases]);
  for (const layer of input.layers) {
    const seen = new Map<string, RawOption>();
    for (const raw of layer) {
      const lower = raw.key.trim().toLowerCase();
      const spec = optionNamed(lower);
      if (!spec && raw.afterSecret !== undefined) {
        // Most likely the rest of the secret's value, cut at an unbraced ';': not echoed.
        throw new RestSqlError('CONFIG_UNKNOWN_OPTION', `Unknown option right after the value of ${raw.afterSecret} (${raw.source}).`, {
          hint: `If the ';' belongs to the value of ${raw.afterSecret}, brace the value: ${raw.afterSecret}={...;...}`,
          details: { option: '***', source: raw.source, after: raw.afterSecret },
        });
      }
      if (!spec) {
        throw new RestSqlError('CONFIG_UNKNOWN_OPTION', `Unknown option '${raw.key}' (${raw.source}).${didYouMean(raw.key, allNames)}`, {
          hint: 'Run `restsql options` for the list of options.',
          details: { option: raw.key, source: raw.source },
        });
      }
      if (spec.effect?.kind === 'refused') throw refusedOption(spec, raw.source);
      const earlier = seen.get(spec.key);
      if (earlier) {
        throw new RestSqlError('CONFIG_DUPLICATE_OPTION', `${spec.name} is given twice (${earlier.source} as '${earlier.key}', and ${raw.source} as '${raw.key}').`, {
          hint: 'Keep one of them.',
          details: { option: spec.name },
        });
      }
      seen.set(spec.key, raw);
      chosen.set(spec.key, { spec, raw });
    }
  }
  const out: Record<string, unknown> = {};
  for (const spec of OPTION_CATALOG as readonly OptionSpec[]) {
    const hit = chosen.get(spec.key);
    const text = hit ? expandEnv(hit.raw.value, spec.name, env).trim() : '';
    // An empty value means "not set", as in ODBC.
    if (hit && text !== '') out[spec.key] = convertValue(spec, text, hit.raw.source);
    else if (spec.default !== undefined) out[spec.key] = spec.default;
  }
  const options = out as ConnectionOptions;
  if (input.checkCombination !== false) validateCombination(options);
  return Object.freeze(options);
}

/** Cross-option rules that the per-value checks cannot see. */
function validateCombination(o: ConnectionOptions): void {
  if (o.authHeader !== undefined && o.securityToken === undefined) {
    throw new RestSqlError('CONFIG_MISSING_OPTION', 'AuthHeader is set but SecurityToken is not: the header would have no value.', {
      hint: 'Set SecurityToken to the header\'s value (write ${NAME} to read it from the environment), or remove AuthHeader.',
      details: { option: 'SecurityToken' },
    });
  }
  if (o.restConfigFile !== undefined && o.restSamplePath !== undefined) {
    throw new RestSqlError('CONFIG_CONFLICT', 'RestConfigFile and RestSamplePath are both set.', {
      hint: 'Use a model file (RestConfigFile) or a single sampled endpoint (RestSamplePath), not both.',
      details: { option: 'RestSamplePath' },
    });
  }
  if (o.authHeader !== undefined) checkHeaderName(o.authHeader, 'AuthHeader');
  // Sent as header values (AuthHeader, Authorization): a line break would split the header.
  for (const [name, value] of [['SecurityToken', o.securityToken], ['AccessToken', o.accessToken]] as const) {
    if (value !== undefined && /[\r\n\0]/.test(value.reveal())) {
      throw new RestSqlError('CONFIG_INVALID_VALUE', `${name} holds a line break or NUL; it is sent in an HTTP header, where that is not allowed.`, {
        hint: `Give the token on one line (check the environment variable or file it comes from for a trailing newline).`,
        details: { option: name },
      });
    }
  }
  if (o.proxyHost !== undefined) checkProxyHost(o.proxyHost, o.proxyPort);
  if (o.proxyPort !== undefined && o.proxyHost === undefined) {
    throw new RestSqlError('CONFIG_MISSING_OPTION', 'ProxyPort is set but ProxyHost is not.', { hint: 'Set ProxyHost too.', details: { option: 'ProxyHost' } });
  }
  const method = authMethodByCode(o.authenticationMethod);
  if (method) {
    const set = (name: string) => (o as Record<string, unknown>)[optionKeyOf(name)] !== undefined;
    const missing = method.requires.filter((alternatives) => !alternatives.split('|').some(set)).map((a) => a.split('|')[0]!);
    if (missing.length > 0) {
      const via = method.requires.some((r) => r.includes('IssuerURI')) && missing.some((m) => m === 'AuthURI' || m === 'TokenURI') ? ' (or IssuerURI, to read them from the server\'s metadata)' : '';
      throw new RestSqlError('CONFIG_MISSING_OPTION', `AuthenticationMethod=${method.code} (${method.name}) needs ${missing.join(', ')}${via}.`, {
        hint: `Set ${missing.map((m) => `${m}=...`).join(';')} in the connection string or DSN.`,
        details: { option: missing[0], method: method.name },
      });
    }
  }
  if (o.redirectUri !== undefined) checkRedirectUri(o.redirectUri);
  if ((o.redirectTlsCert === undefined) !== (o.redirectTlsKey === undefined)) {
    throw new RestSqlError('CONFIG_MISSING_OPTION', 'RedirectTLSCert and RedirectTLSKey go together.', {
      hint: 'Set both (PEM files), or neither to use the self-signed loopback certificate.',
      details: { option: o.redirectTlsCert === undefined ? 'RedirectTLSCert' : 'RedirectTLSKey' },
    });
  }
}

/** An HTTP header name given by an option: a token (RFC 9110 §5.1), so undici never sees an invalid one. */
function checkHeaderName(name: string, option: string): void {
  if (isHeaderName(name)) return;
  throw new RestSqlError('CONFIG_INVALID_VALUE', `${option}: '${name}' is not a valid HTTP header name.`, { hint: HEADER_NAME_HINT, details: { option } });
}

/**
 * ProxyHost is a host name or IP address (an IPv6 address in brackets), optionally with :port
 * when ProxyPort is not set; the client builds http://host:port from it.
 */
function checkProxyHost(host: string, port: number | undefined): void {
  let ok = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/.test(host) && !(port !== undefined && /:\d+$/.test(host.replace(/^\[.*\]/, '')));
  if (ok) {
    try {
      new URL(`http://${host}${port !== undefined ? `:${port}` : ''}`);
    } catch {
      ok = false;
    }
  }
  if (ok) return;
  throw new RestSqlError('CONFIG_INVALID_VALUE', `ProxyHost '${host}' is not a host name or IP address.`, {
    hint: 'Give the proxy host only, for example ProxyHost=proxy.example.com;ProxyPort=3128 (no scheme, path or user; ProxyUser and ProxyPassword carry credentials).',
    details: { option: 'ProxyHost' },
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * RedirectURI must name its port (seed: "must include the port number") and a loopback host
 * (RFC 8252 §7.3): restsql listens there itself, on loopback only.
 */
function checkRedirectUri(value: string): void {
  const m = /^(https?):\/\/(\[[^\]]*\]|[^/:?#]+)(?::(\d*))?([/?#].*)?$/i.exec(value);
  if (!m) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RedirectURI '${value}' is not an http:// or https:// URL.`, {
      hint: 'Use a loopback URL with a port, for example RedirectURI=http://localhost:8080 or http://127.0.0.1:8080/callback.',
      details: { option: 'RedirectURI' },
    });
  }
  const host = m[2]!.toLowerCase();
  if (!m[3]) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RedirectURI '${value}' has no port; the redirect URI must include the port number.`, {
      hint: `Add the port registered with the authorization server, for example RedirectURI=${m[1]}://${m[2]}:8080${m[4] ?? ''}.`,
      details: { option: 'RedirectURI' },
    });
  }
  const port = Number(m[3]);
  if (!(port >= 1 && port <= 65535)) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RedirectURI '${value}' has port ${port}; it must be 1 to 65535, the fixed port registered with the authorization server (a callback to port 0 could never arrive).`, {
      hint: `Use the registered port, for example RedirectURI=${m[1]}://${m[2]}:8080${m[4] ?? ''}.`,
      details: { option: 'RedirectURI' },
    });
  }
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RedirectURI host '${m[2]}' is not loopback; restsql receives the login callback itself and listens on loopback only.`, {
      hint: 'Use localhost, 127.0.0.1 or [::1] (RFC 8252 §7.3) and register that redirect URI with the authorization server.',
      details: { option: 'RedirectURI' },
    });
  }
}

function optionKeyOf(name: string): string {
  const spec = optionNamed(name);
  if (!spec) throw new Error(`catalog has no option ${name}`);
  return spec.key;
}
