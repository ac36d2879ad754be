import { inspect } from 'node:util';
import { RestSqlError, toRestSqlError, redactText, redactorOf } from '../errors/index.js';
import { escapeMessage } from '../util/terminal.js';

/**
 * `restsql: error[CODE]: message` plus a hint line on stderr; the stack only
 * with RESTSQL_DEBUG=1, and redacted even then (with the connection's redactor when the error
 * passed through one, so its secrets are masked in the cause too). Control characters (from an
 * API's error page, say) are escaped: the text goes to a terminal.
 */
export function renderError(e: unknown, env: NodeJS.ProcessEnv = process.env): { text: string; status: number } {
  const err: RestSqlError = toRestSqlError(e);
  const lines = [`restsql: error[${err.code}]: ${err.message}`];
  if (err.hint) lines.push(`hint: ${err.hint}`);
  if (env.RESTSQL_DEBUG === '1') {
    const cause = (err as { cause?: unknown }).cause;
    const redact = (t: string): string => redactorOf(err)?.text(t) ?? redactText(t);
    lines.push(redact(err.stack ?? ''));
    if (cause) lines.push('caused by: ' + redact(inspect(cause)));
  }
  return { text: escapeMessage(lines.join('\n')) + '\n', status: err.exitStatus };
}
