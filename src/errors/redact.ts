import { SECRET_MASK, scrubKnownSecrets } from './secret.js';

/**
 * Names of URL query parameters, form fields and headers whose values are credentials. Matching is
 * case-insensitive and also catches names that merely contain one of these words (`x-api-key`).
 */
const SECRET_NAME = /(secret|token|password|passwd|pwd|api[-_]?key|apikey|signature|^sig$|code_verifier|^code$|device_code|assertion|credential|session|cookie|authorization|auth$)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A URL safe to print: user-info and the values of credential-like query parameters masked. */
export function redactUrl(raw: string | URL): string {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    return scrubKnownSecrets(String(raw));
  }
  if (url.username) url.username = SECRET_MASK;
  if (url.password) url.password = SECRET_MASK;
  for (const key of [...url.searchParams.keys()]) {
    if (isSecretName(key)) url.searchParams.set(key, SECRET_MASK);
  }
  return scrubKnownSecrets(url.toString().replaceAll('%2A%2A%2A', SECRET_MASK));
}

/** Headers safe to print: credential headers masked. */
export function redactHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = isSecretName(name) ? SECRET_MASK : scrubKnownSecrets(text);
  }
  return out;
}

/** An application/x-www-form-urlencoded body safe to print. */
export function redactForm(body: string): string {
  const params = new URLSearchParams(body);
  for (const key of [...params.keys()]) {
    if (isSecretName(key)) params.set(key, SECRET_MASK);
  }
  return scrubKnownSecrets(params.toString().replaceAll('%2A%2A%2A', SECRET_MASK));
}

/** Any free text (an error message from a library, a response snippet): known secrets and URLs in it masked. */
export function redactText(text: string): string {
  const withUrls = text.replace(/\bhttps?:\/\/[^\s"'<>]+/g, (m) => redactUrl(m));
  return scrubKnownSecrets(withUrls);
}
