export { OPTION_CATALOG, type OptionSpec, type OptionKind, type OptionGroup, type OptionKey, type OptionEffect } from './catalog.js';
export { behaviourText, inertOptionNotices } from './effects.js';
export { AUTH_METHODS, authMethodByCode, type AuthMethodSpec } from './auth-methods.js';
export { parseConnectionString, type RawOption } from './connection-string.js';
export { parseOdbcIni, readDsn, odbcIniCandidates } from './odbc-ini.js';
export { resolveOptions, type ConnectionOptions } from './resolve.js';
export { loadOptions, type OptionSources } from './load.js';
export { optionsMarkdown, optionsText } from './docs.js';
export { redactorFor } from './secrets.js';
