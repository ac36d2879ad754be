import { ERROR_CODES, exitStatusFor, type ErrorCode } from './codes.js';
import { redactText } from './redact.js';

export interface ErrorOptions {
  /** One line that says how to fix it. */
  readonly hint?: string;
  /** Structured, non-secret facts (option name, table, HTTP status, SQL position...). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The one error type restsql throws. `code` is stable; `message` says what went wrong and names
 * the culprit; `hint` says what to do. Message and hint are redacted on construction, so a secret
 * that slipped into them never leaves. The cause and any raw HTTP exchange are non-enumerable and
 * so never serialised.
 */
export class RestSqlError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(redactText(message));
    this.name = 'RestSqlError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redactText(options.hint);
    this.details = options.details ?? {};
    if (options.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false, writable: true, configurable: true });
    }
  }

  get exitStatus(): number {
    return exitStatusFor(this.code);
  }

  get sqlState(): string {
    return ERROR_CODES[this.code].sqlState;
  }

  /** Attaches a raw value (request, response) that must never be serialised or printed. */
  attach(name: string, value: unknown): this {
    Object.defineProperty(this, name, { value, enumerable: false, writable: false, configurable: true });
    return this;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function isRestSqlError(e: unknown): e is RestSqlError {
  return e instanceof RestSqlError;
}

/** Wraps anything thrown into a RestSqlError, keeping an existing one as it is. */
export function toRestSqlError(e: unknown, fallback: ErrorCode = 'INTERNAL'): RestSqlError {
  if (e instanceof RestSqlError) return e;
  if (e instanceof Error && e.name === 'AbortError') {
    return new RestSqlError('ABORTED', 'The operation was cancelled.', { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new RestSqlError(fallback, message, { cause: e });
}
