import type { HttpRule } from '../model/types.js';
import type { HttpResponse } from './contract.js';

/** DataDirect's documented defaults when a model file has no `#http` entry ("HTTP response code processing"). */
export const DEFAULT_HTTP_RULES: readonly HttpRule[] = [
  { code: 200, action: 'OK' },
  { code: 206, action: 'OK' },
  { code: 400, action: 'ZERO_ROWS' },
  { code: 401, action: 'REAUTHENTICATE' },
  { code: 404, action: 'ZERO_ROWS' },
  { code: 429, action: 'RETRY_AFTER' },
  { code: 503, action: 'RETRY_AFTER' },
];

/**
 * The first rule that matches the response (rules are read in order; `#match` looks for text in
 * the body; restsql only runs SELECTs, so `#operation` other than SELECT never matches). A 2xx no
 * rule mentions is OK (DataDirect fails it; nobody writes a rule for 200 expecting that); any
 * other unlisted status fails.
 */
export function matchRule(rules: readonly HttpRule[], res: HttpResponse): HttpRule | undefined {
  let text: string | undefined;
  for (const r of rules) {
    if (r.code !== res.status) continue;
    if (r.operation && !['SELECT', 'GET', 'READ'].includes(r.operation)) continue;
    if (r.match !== undefined) {
      text ??= res.body.toString('utf8');
      if (!text.includes(r.match)) continue;
    }
    return r;
  }
  if (res.status >= 200 && res.status < 300) return { code: res.status, action: 'OK' };
  return undefined;
}
