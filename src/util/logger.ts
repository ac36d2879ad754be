import { Redactor } from '../errors/redact.js';

/** Where restsql's diagnostics go. The library is silent unless given one; the CLI writes to stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {} };

/** Wraps a logger so every line passes the connection's redactor first (its secrets, credential query parameters). */
export function redactingLogger(inner: Logger, redactor: Redactor): Logger {
  return {
    debug: (m) => inner.debug(redactor.text(m)),
    info: (m) => inner.info(redactor.text(m)),
    warn: (m) => inner.warn(redactor.text(m)),
  };
}
