import { SECRET_MASK, Secret } from './secret.js';

/**
 * Names of URL query parameters, form fields and headers whose values are credentials. Matching is
 * case-insensitive and also catches names that merely contain one of these words (`x-api-key`).
 */
const SECRET_NAME = /(secret|token|password|passwd|pwd|api[-_]?key|apikey|^key$|signature|^sig$|code_verifier|^code$|device_code|assertion|credential|session|cookie|authorization|^auth[-_]|auth$)/i;

// Paging cursors are named like tokens (pageToken, next_page_token, continuationToken) but carry
// a position, not a credential: masking them would break a printed model's paging.
const CURSOR_NAME = /^(next[-_]?)?(page|continuation|sync|cursor|next)[-_]?token$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !CURSOR_NAME.test(name);
}

/** Shorter values would make the text scrubber mask ordinary words; they are still masked by name. */
const MIN_SCRUB_LENGTH = 4;

/**
 * One connection's redactor: the secret values it knows (from its options, and the credentials its
 * requests carried) in every form they travel in, plus masking by name (user-info, credential-like
 * query parameters, form fields and headers). Each connection has its own, so one connection's
 * password never alters another's text.
 */
export class Redactor {
  readonly #forms = new Set<string>();
  /** Longest first, so a value is masked before a shorter one inside it. */
  #sorted: string[] = [];

  /** Learns a secret value and its derived forms: URL- and form-encoded, base64. */
  add(value: string | Secret | undefined): this {
    const raw = value instanceof Secret ? value.reveal() : value;
    if (raw === undefined || raw.length < MIN_SCRUB_LENGTH) return this;
    const b64 = Buffer.from(raw, 'utf8').toString('base64');
    this.#learn([raw, encodeURIComponent(raw), new URLSearchParams({ v: raw }).toString().slice(2), b64, b64.replace(/=+$/, ''), Buffer.from(raw, 'utf8').toString('base64url'), JSON.stringify(raw).slice(1, -1)]);
    return this;
  }

  /** Learns a user/secret pair as HTTP Basic sends it: base64 of `user:secret` (RFC 7617), also of the form-encoded pair (RFC 6749 2.3.1). */
  addPair(user: string | undefined, secret: string | Secret | undefined): this {
    const pw = secret instanceof Secret ? secret.reveal() : secret;
    if (pw === undefined || pw.length === 0) return this;
    this.add(secret);
    const u = user ?? '';
    for (const pair of [`${u}:${pw}`, `${formEncode(u)}:${formEncode(pw)}`]) {
      const b64 = Buffer.from(pair, 'utf8').toString('base64');
      this.#learn([b64, b64.replace(/=+$/, ''), encodeURIComponent(b64)]);
    }
    return this;
  }

  /** Learns a credential header's value (`Bearer tok`, `Basic b64`, an API key): the whole value and the credential after the scheme. */
  addHeaderValue(value: string | undefined): this {
    if (value === undefined) return this;
    this.add(value);
    const m = /^\s*[A-Za-z][\w-]*\s+(\S.*)$/.exec(value);
    if (m) this.add(m[1]);
    return this;
  }

  /**
   * Learns the credentials an authorized request carries: credential headers' values and
   * credential-like query parameters (tokens obtained at run time, API keys, signatures).
   */
  learnRequest(url: string, headers: Readonly<Record<string, string>> = {}): this {
    for (const [name, value] of Object.entries(headers)) if (isSecretName(name)) this.addHeaderValue(value);
    try {
      const u = new URL(url);
      if (u.password) this.addPair(decodeURIComponent(u.username), decodeURIComponent(u.password));
      for (const [name, value] of u.searchParams) if (isSecretName(name)) this.add(value);
    } catch {
      // Not a URL: nothing to learn from it.
    }
    return this;
  }

  #learn(forms: readonly string[]): void {
    let changed = false;
    for (const f of forms) {
      if (f.length >= MIN_SCRUB_LENGTH && !this.#forms.has(f)) {
        this.#forms.add(f);
        changed = true;
      }
    }
    if (changed) this.#sorted = [...this.#forms].sort((a, b) => b.length - a.length);
  }

  /** Known secret values (every form) replaced by `***`; nothing else changed (for data). */
  scrub(text: string): string {
    let out = text;
    for (const f of this.#sorted) if (out.includes(f)) out = out.split(f).join(SECRET_MASK);
    return out;
  }

  /** A URL safe to print; the URL requested is never changed. */
  url(raw: string | URL): string {
    return this.scrub(redactUrl(raw));
  }

  /** Free text (a message, a log line, a response snippet): URLs in it and known secrets masked. */
  text(text: string): string {
    return this.scrub(redactText(text));
  }

  headers(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
    return Object.fromEntries(Object.entries(redactHeaders(headers)).map(([k, v]) => [k, this.scrub(v)]));
  }

  form(body: string): string {
    return this.scrub(redactForm(body));
  }

  /**
   * Masks what this connection knows in an error's message, hint and stack, and attaches this
   * redactor (non-enumerable) so whoever prints its cause later can mask that too.
   */
  error<E>(e: E): E {
    if (!(e instanceof Error)) return e;
    const err = e as Error & { hint?: string; redactor?: Redactor };
    err.message = this.text(err.message);
    if (typeof err.hint === 'string') Object.defineProperty(err, 'hint', { value: this.text(err.hint), enumerable: true, writable: false, configurable: true });
    if (typeof err.stack === 'string') err.stack = this.text(err.stack);
    Object.defineProperty(err, 'redactor', { value: this, enumerable: false, writable: false, configurable: true });
    return e;
  }
}

/** The redactor an error was last masked with (attached by `Redactor.error`), if any. */
export function redactorOf(e: unknown): Redactor | undefined {
  const r = (e as { redactor?: unknown } | null | undefined)?.redactor;
  return r instanceof Redactor ? r : undefined;
}

function formEncode(s: string): string {
  return new URLSearchParams({ v: s }).toString().slice(2);
}

/** A URL safe to print: user-info and the values of credential-like query parameters masked. */
export function redactUrl(raw: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    return String(raw);
  }
  if (url.username) url.username = SECRET_MASK;
  if (url.password) url.password = SECRET_MASK;
  for (const [key, value] of [...url.searchParams]) {
    // An empty value hides nothing, and masking it would change what the URL asks for.
    if (isSecretName(key) && value !== '') url.searchParams.set(key, SECRET_MASK);
  }
  return url.toString().replaceAll('%2A%2A%2A', SECRET_MASK);
}

/** Headers safe to print: credential headers masked. */
export function redactHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = isSecretName(name) ? SECRET_MASK : text;
  }
  return out;
}

/** An application/x-www-form-urlencoded body safe to print. */
export function redactForm(body: string): string {
  const params = new URLSearchParams(body);
  for (const key of [...params.keys()]) {
    if (isSecretName(key)) params.set(key, SECRET_MASK);
  }
  return params.toString().replaceAll('%2A%2A%2A', SECRET_MASK);
}

/**
 * Any free text: URLs in it (user-info, credential query parameters) and `Authorization`-style
 * header values masked. Known secret values are a connection's business: see `Redactor.text`.
 */
export function redactText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/[^\s"'<>]+/g, (m) => redactUrl(m))
    .replace(/\b(Basic|Bearer|Digest|AWS4-HMAC-SHA256)\s+[A-Za-z0-9._~+/=,:-]{8,}/g, `$1 ${SECRET_MASK}`);
}
