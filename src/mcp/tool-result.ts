/**
 * What a tool call answers: text for the model to read and, where the tool has one, structured
 * content for programs; or, on failure, an error result (`isError: true`) with the RestSqlError's
 * code, message and hint, so a bad call never takes the server down. Everything passes through
 * the connection's redactor first: an API may echo a credential in its data or its errors.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toRestSqlError } from '../errors/index.js';

/** Masks this connection's secrets in a text (Connection.redact). */
export type Redact = (text: string) => string;

/** A JSON value as a tool returns it. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON value with every string masked (keys too: an API may name a field after a secret). */
export function redactJson<T>(value: T, redact: Redact): T {
  const walk = (v: unknown): Json => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), walk(x)]));
    return v as Json;
  };
  return walk(value) as T;
}

export function textResult(text: string, redact: Redact, structured?: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: redact(text) }],
    ...(structured !== undefined ? { structuredContent: redactJson(structured, redact) } : {}),
  };
}

/** Where an error result carries the error as data (`_meta`: clients check structuredContent against the tool's outputSchema, errors included). */
export const ERROR_META_KEY = 'restsql/error';

/** The error result for `e`: `error[CODE]: message` and the hint as text, and as data in `_meta`. */
export function errorResult(e: unknown, redact: Redact): CallToolResult {
  const err = toRestSqlError(e);
  const hint = err.hint !== undefined ? `\nhint: ${err.hint}` : '';
  return {
    isError: true,
    content: [{ type: 'text', text: redact(`error[${err.code}]: ${err.message}${hint}`) }],
    _meta: { [ERROR_META_KEY]: redactJson({ code: err.code, message: err.message, ...(err.hint !== undefined ? { hint: err.hint } : {}) }, redact) },
  };
}

/** Runs a tool's work; any failure becomes an error result. */
export async function guarded(redact: Redact, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (e) {
    return errorResult(e, redact);
  }
}
