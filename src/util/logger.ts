import { redactText } from '../errors/redact.js';

/** Where restsql's diagnostics go. The library is silent unless given one; the CLI writes to stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {} };

/** Wraps a logger so every line passes the redactor first (secrets, credential query parameters). */
export function redactingLogger(inner: Logger): Logger {
  return {
    debug: (m) => inner.debug(redactText(m)),
    info: (m) => inner.info(redactText(m)),
    warn: (m) => inner.warn(redactText(m)),
  };
}
