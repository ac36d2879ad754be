/** RFC 9110 §5.1: a field name is a token (RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` can be sent as an HTTP header name; undici refuses any other at send time. */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** What a header name may hold, for hints. */
export const HEADER_NAME_HINT = "A header name is letters, digits and !#$%&'*+-.^_`|~ only, with no spaces or colon (for example X-Tenant-Id).";
