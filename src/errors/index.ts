export { ERROR_CODES, EXIT_STATUS, exitStatusFor, type ErrorCode, type ErrorCategory } from './codes.js';
export { RestSqlError, isRestSqlError, toRestSqlError, type ErrorOptions } from './restsql-error.js';
export { Secret, SECRET_MASK } from './secret.js';
export { Redactor, redactorOf, redactUrl, redactHeaders, redactForm, redactText, isSecretName } from './redact.js';
