/** The origin of an http(s) URL (`https://host:port`), or undefined for anything else or a URL that does not parse. */
export function originOf(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
}

/** `url` with `params` set as query parameters (replacing same-named ones); unchanged when there are none. */
export function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of entries) u.searchParams.set(k, v);
  return u.toString();
}
