/**
 * AuthenticationMethod=29 (Custom): the model file's `#authentication` steps (and
 * `#reauthentication` for renewing) as DataDirect's "Custom authentication requests" describe:
 *
 *   "api-key={customAuthParams[1]}"          a header for the next request
 *   {"credentials": {"user": "{user}"}}       a JSON body for the next request
 *   "POST https://{serverName}/token"         the request
 *   "HEADER Authorization=Bearer {/access_token}"   what data requests carry (PARAM for a query parameter)
 *
 * Variables: {user}, {password}, {serverName}, {customAuthParams[n]} (1-based) and {/json/pointer}
 * into the last response (RFC 6901). `\` escapes a special character.
 */
import { RestSqlError, redactUrl, type Secret } from '../errors/index.js';
import type { Authenticator, HttpClient, HttpRequest } from '../http/contract.js';
import { originOf, withQuery } from '../http/url.js';
import type { Logger } from '../util/logger.js';

export type AuthStep = string | Record<string, unknown>;

export interface CustomSteps {
  readonly authentication: readonly AuthStep[];
  readonly reauthentication?: readonly AuthStep[];
}

interface Vars {
  readonly user?: string;
  readonly password?: Secret;
  readonly serverName?: string;
  readonly params: readonly string[];
}

/** RFC 6901 JSON pointer. */
function pointer(doc: unknown, ptr: string): unknown {
  let node = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A URL's origin, or undefined when it is not an absolute http(s) URL. */
export class CustomAuthenticator implements Authenticator {
  #headers: Record<string, string> = {};
  #query: Record<string, string> = {};
  #ready?: Promise<void>;
  /** The last authentication response: #reauthentication steps may point into it ({/refresh_token}). */
  #lastResponse: unknown;
  readonly #http: HttpClient;

  constructor(
    private readonly steps: CustomSteps,
    private readonly vars: Vars,
    /** A transport without this authenticator: authentication requests must not go through it. */
    http: HttpClient,
    private readonly logger: Logger,
  ) {
    this.#http = http;
  }

  /**
   * Fills the variables in `text`; `last` is the previous response for {/pointer}. With
   * `fromResponse`, what a pointer would insert is replaced by that text instead (to see what
   * the configuration alone makes of a URL).
   */
  #fill(text: string, last: unknown, fromResponse?: string): string {
    return text
      .replace(/\{([^{}]+)\}/g, (whole, name: string) => {
        const n = name.trim();
        if (n.startsWith('/')) {
          if (fromResponse !== undefined) return fromResponse;
          const v = pointer(last, n);
          if (v === undefined) {
            throw new RestSqlError('AUTH_FAILED', `Custom authentication: the response has nothing at ${n}.`, {
              hint: 'Check the JSON pointer in the #authentication step against what the authentication request returns.',
            });
          }
          return typeof v === 'string' ? v : JSON.stringify(v);
        }
        const lower = n.toLowerCase();
        if (lower === 'user') return this.vars.user ?? '';
        if (lower === 'password') return this.vars.password?.reveal() ?? '';
        if (lower === 'servername') return this.vars.serverName ?? '';
        const m = /^customauthparams\[(\d+)\]$/.exec(lower);
        if (m) {
          const v = this.vars.params[Number(m[1]) - 1];
          if (v === undefined) {
            throw new RestSqlError('CONFIG_MISSING_OPTION', `Custom authentication uses {customAuthParams[${m[1]}]}, but CustomAuthParams has ${this.vars.params.length} value(s).`, {
              hint: 'Give the values in order: CustomAuthParams={first;second}.',
              details: { option: 'CustomAuthParams' },
            });
          }
          return v;
        }
        return whole;
      })
      .replace(/\\(.)/g, '$1');
  }

  #fillJson(value: unknown, last: unknown): unknown {
    if (typeof value === 'string') return this.#fill(value, last);
    if (Array.isArray(value)) return value.map((v) => this.#fillJson(v, last));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.#fillJson(v, last)]));
    return value;
  }

  async #run(steps: readonly AuthStep[]): Promise<void> {
    let last: unknown = this.#lastResponse;
    let headers: Record<string, string> = {};
    let body: unknown;
    const resultHeaders: Record<string, string> = {};
    const resultQuery: Record<string, string> = {};
    for (const step of steps) {
      if (typeof step !== 'string') {
        body = this.#fillJson(step, last);
        continue;
      }
      const request = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)$/i.exec(step.trim());
      if (request) {
        const url = this.#fill(request[2]!, last);
        // A value from a response may fill a path or a query, never choose where the request
        // goes: an API must not steer restsql (and the credentials in this step) to another host.
        // ('/x' stands for what a response would insert: after a host it starts the path, in place of one it is no origin.)
        const configured = originOf(this.#fill(request[2]!, last, '/x'));
        if (configured === undefined || originOf(url) !== configured) {
          throw new RestSqlError('HTTP_ORIGIN_REFUSED', `Custom authentication: the step "${request[1]!.toUpperCase()} ${request[2]!}" would go to '${redactUrl(originOf(url) ?? url)}', which a value from a response chose; its origin must come from the model file and the connection options.`, {
            hint: 'Write the step\'s scheme and host in the model file ({serverName} may fill them); response values ({/pointer}) may fill only the path and the query.',
            details: {},
          });
        }
        const res = await this.#http.send({
          url,
          method: request[1]!.toUpperCase() === 'GET' ? 'GET' : 'POST',
          headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          anyStatus: true,
        });
        if (res.status < 200 || res.status > 299) {
          throw new RestSqlError('AUTH_FAILED', `Custom authentication: ${request[1]!.toUpperCase()} ${redactUrl(url)} answered ${res.status}.`, {
            hint: 'Check User, Password and CustomAuthParams, and the #authentication steps in the model file.',
            details: { status: res.status },
          });
        }
        const text = res.body.toString('utf8');
        try {
          last = text ? JSON.parse(text) : undefined;
        } catch {
          last = text;
        }
        headers = {};
        body = undefined;
        continue;
      }
      const directive = /^(HEADER|PARAM)\s+([^=]+?)\s*=\s*(.*)$/i.exec(step.trim());
      if (directive) {
        (directive[1]!.toUpperCase() === 'HEADER' ? resultHeaders : resultQuery)[directive[2]!] = this.#fill(directive[3]!, last);
        continue;
      }
      const header = /^([^=\s]+)\s*=\s*(.*)$/.exec(step.trim());
      if (header) {
        headers[header[1]!] = this.#fill(header[2]!, last);
        continue;
      }
      throw new RestSqlError('MODEL_INVALID', `Custom authentication: cannot read the step '${step.slice(0, 60)}'.`, {
        hint: 'A step is "Name=value" (a header), a JSON object (a body), "POST url" (a request), or "HEADER Name=value" / "PARAM name=value" (what data requests carry).',
      });
    }
    if (Object.keys(resultHeaders).length === 0 && Object.keys(resultQuery).length === 0) {
      throw new RestSqlError('MODEL_INVALID', 'Custom authentication: the #authentication steps never say what data requests carry.', {
        hint: 'End them with "HEADER Authorization=Bearer {/access_token}" (or PARAM name=value).',
      });
    }
    this.#headers = resultHeaders;
    this.#query = resultQuery;
    this.#lastResponse = last;
    this.logger.debug('custom authentication: done');
  }

  async authorize(req: HttpRequest): Promise<HttpRequest> {
    this.#ready ??= this.#run(this.steps.authentication).catch((e: unknown) => {
      this.#ready = undefined;
      throw e;
    });
    await this.#ready;
    return { ...req, url: withQuery(req.url, this.#query), headers: { ...req.headers, ...this.#headers } };
  }

  /** A 401: #reauthentication (or #authentication again), once. */
  async onUnauthorized(): Promise<boolean> {
    this.#ready = this.#run(this.steps.reauthentication ?? this.steps.authentication);
    await this.#ready;
    return true;
  }
}

/** {serverName}: the host (and port) of HostName. */
export function serverNameOf(hostName: string | undefined, port?: number): string | undefined {
  if (!hostName) return undefined;
  try {
    const u = new URL(hostName);
    if (port && !u.port) u.port = String(port);
    return u.host;
  } catch {
    return port ? `${hostName}:${port}` : hostName;
  }
}
