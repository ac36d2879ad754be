export { ERROR_CODES, exitStatusFor, type ErrorCode, type ErrorCategory } from './codes.js';
export { RestSqlError, isRestSqlError, toRestSqlError, type ErrorOptions } from './restsql-error.js';
export { Secret } from './secret.js';
export { Redactor, redactorOf, redactUrl, redactHeaders, redactForm, redactText, isSecretName } from './redact.js';
