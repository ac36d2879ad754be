import { RestSqlError } from '../../errors/index.js';
import { invalidValue, parseBoolean, parseEnum, parseInteger, parseTimeout, showBoolean, showMilliseconds } from './setting-values.js';
import { ISOLATION_LEVELS } from './transaction-modes.js';

/**
 * The PostgreSQL 15 settings (run-time parameters, PostgreSQL 15 runtime-config) that restsql
 * serve models: their canonical spelling, description (PostgreSQL's own, from SHOW ALL), default,
 * and how a value is checked. Settings whose value would change how the server must write or read
 * data and that restsql serve does not implement (another client encoding, a non-ISO DateStyle,
 * another IntervalStyle, bytea escape output, standard_conforming_strings off) are refused with
 * SERVER_UNSUPPORTED (0A000) rather than accepted and silently ignored.
 */
export interface BootContext {
  readonly user: string;
  readonly serverVersion: string;
  readonly timeZone: string;
}

export interface ParseContext {
  /** The setting's current value. */
  readonly current: string;
  /** The value RESET returns to (the default, or the startup packet's value). */
  readonly reset: string;
  readonly user: string;
}

export interface SettingDef {
  readonly name: string;
  readonly description: string;
  readonly boot: (ctx: BootContext) => string;
  /** Checks a value and returns it as SHOW prints it; throws RestSqlError. */
  readonly parse: (value: string, ctx: ParseContext) => string;
  /** GUC_REPORT: a change is sent to the client as ParameterStatus. */
  readonly reported?: boolean;
  /** Fixed by the server (PGC_INTERNAL): SET is refused. */
  readonly readOnly?: boolean;
  /** GUC_NO_SHOW_ALL: left out of SHOW ALL. */
  readonly hidden?: boolean;
  /** GUC_NO_RESET_ALL: left alone by RESET ALL. */
  readonly noResetAll?: boolean;
  /** Lives for one transaction (transaction_isolation, transaction_read_only, transaction_deferrable). */
  readonly transaction?: boolean;
}

const any = (value: string): string => value;
const bool =
  (name: string) =>
  (value: string): string =>
    showBoolean(parseBoolean(name, value));
const timeout =
  (name: string) =>
  (value: string): string =>
    showMilliseconds(parseTimeout(name, value));
const fixed = (value: string) => (): string => value;

function unsupported(name: string, value: string, why: string, hint: string): RestSqlError {
  return new RestSqlError('SERVER_UNSUPPORTED', `${name} "${value}" is not supported: ${why}`, { details: { parameter: name }, hint });
}

/**
 * client_encoding: PostgreSQL matches encoding names ignoring case and punctuation (UTF8, utf-8,
 * Unicode). restsql serve writes UTF8 only. SQL_ASCII is accepted too: PostgreSQL converts
 * nothing for it (PostgreSQL 15 multibyte, "SQL_ASCII"), which is what the server does anyway;
 * libpq asks for it when the client runs in the C locale, so refusing it would lock out psql there.
 */
function parseClientEncoding(value: string): string {
  const clean = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (clean === 'utf8' || clean === 'unicode') return 'UTF8';
  if (clean === 'sqlascii') return 'SQL_ASCII';
  throw unsupported('client_encoding', value, 'restsql serve speaks UTF8 only', 'Connect with client_encoding UTF8 (psql: set PGCLIENTENCODING=UTF8).');
}

const DATE_STYLES: Record<string, string> = { iso: 'ISO', sql: 'SQL', postgres: 'Postgres', german: 'German' };
const DATE_ORDERS: Record<string, string> = { ymd: 'YMD', dmy: 'DMY', euro: 'DMY', european: 'DMY', mdy: 'MDY', us: 'MDY', noneuro: 'MDY', noneuropean: 'MDY' };

/**
 * DateStyle, read like check_datestyle: a comma-separated list of an output style (ISO, SQL,
 * Postgres, German) and a field order (YMD, DMY/Euro/European, MDY/US/NonEuro/NonEuropean);
 * either part left out keeps its current value, DEFAULT takes the reset value's. Only the ISO
 * output style is accepted: the server writes dates and timestamps in ISO form only.
 */
function parseDateStyle(value: string, ctx: ParseContext): string {
  const [curStyle = 'ISO', curOrder = 'MDY'] = ctx.current.split(', ');
  let style = curStyle;
  let order = curOrder;
  let haveStyle = false;
  let haveOrder = false;
  const items = splitIdentifierList(value);
  if (items === undefined) throw invalidValue('DateStyle', value, 'List syntax is invalid.');
  for (const item of items) {
    const word = item.toLowerCase();
    const s = DATE_STYLES[word];
    const o = DATE_ORDERS[word];
    if (s !== undefined) {
      if (haveStyle && style !== s) throw invalidValue('DateStyle', value, 'Conflicting "datestyle" specifications.');
      style = s;
      haveStyle = true;
      if (s === 'German' && !haveOrder) order = 'DMY';
    } else if (o !== undefined) {
      if (haveOrder && order !== o) throw invalidValue('DateStyle', value, 'Conflicting "datestyle" specifications.');
      order = o;
      haveOrder = true;
    } else if (word === 'default') {
      const [resetStyle = 'ISO', resetOrder = 'MDY'] = ctx.reset.split(', ');
      if (!haveStyle) style = resetStyle;
      if (!haveOrder) order = resetOrder;
    } else {
      throw invalidValue('DateStyle', value, `Unrecognized key word: "${item}".`);
    }
  }
  if (style !== 'ISO') {
    throw unsupported('DateStyle', value, 'restsql serve writes dates in the ISO style only', `Use SET DateStyle = 'ISO, ${order}'.`);
  }
  return `${style}, ${order}`;
}

/**
 * PostgreSQL's SplitIdentifierString with a comma: elements are bare words (no inner spaces,
 * folded to lower case) or "quoted"; spaces around them are allowed; an empty list is fine, an
 * empty element is not. Undefined when the list syntax is invalid.
 */
export function splitIdentifierList(value: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const space = (): void => {
    while (i < value.length && /\s/.test(value[i] as string)) i++;
  };
  space();
  if (i >= value.length) return out;
  while (true) {
    if (value[i] === '"') {
      let item = '';
      i++;
      while (true) {
        const close = value.indexOf('"', i);
        if (close < 0) return undefined;
        item += value.slice(i, close);
        i = close + 1;
        if (value[i] === '"') {
          item += '"';
          i++;
        } else break;
      }
      if (item === '') return undefined;
      out.push(item);
    } else {
      const start = i;
      while (i < value.length && value[i] !== ',' && !/\s/.test(value[i] as string)) i++;
      if (i === start) return undefined;
      out.push(value.slice(start, i).replace(/[A-Z]+/g, (m) => m.toLowerCase()));
    }
    space();
    if (i >= value.length) return out;
    if (value[i] !== ',') return undefined;
    i++;
    space();
  }
}

let zoneSpellings: Map<string, string> | undefined;

/** Lower-cased IANA zone name -> its spelling, from the zones this Node knows plus UTC's aliases. */
function zoneIndex(): Map<string, string> {
  if (zoneSpellings === undefined) {
    zoneSpellings = new Map();
    const aliases = ['UTC', 'GMT', 'UCT', 'Universal', 'Zulu', 'Greenwich', 'GMT0', 'Etc/UTC', 'Etc/GMT', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'Etc/Greenwich', 'Etc/GMT0'];
    for (const z of [...Intl.supportedValuesOf('timeZone'), ...aliases]) zoneSpellings.set(z.toLowerCase(), z);
  }
  return zoneSpellings;
}

/**
 * TimeZone: an IANA time zone name (PostgreSQL 15 datatype-datetime, "Time Zones"), any case,
 * printed in its IANA spelling (`europe/paris` -> `Europe/Paris`), as PostgreSQL prints it;
 * drivers such as psycopg open the reported name with the system's zone database, which is
 * case-sensitive. A name Node's Intl knows only as an alias is kept as written (Asia/Calcutta,
 * US/Eastern) unless it is written all in lower case, whose spelling cannot be recovered: then the
 * zone's canonical name is answered (america/argentina/buenos_aires -> America/Buenos_Aires).
 * PostgreSQL's POSIX forms (`UTC+2`, `<+02>-02`, `EST5EDT`-style rules, bare numbers) are refused:
 * the engine and the clients read IANA names, and POSIX signs are the reverse of ISO 8601's.
 */
export function parseTimeZone(value: string): string {
  const known = zoneIndex().get(value.toLowerCase());
  if (known !== undefined) return known;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw invalidValue('TimeZone', value, "Use an IANA time zone name such as 'Europe/Paris' or 'UTC'.");
  }
  return resolved.toLowerCase() === value.toLowerCase() || value === value.toLowerCase() ? resolved : value;
}

/**
 * application_name, as PostgreSQL 15 stores it: cut to 63 bytes (NAMEDATALEN - 1) without
 * splitting a character, then every byte outside printable ASCII replaced by `?` (pg_clean_ascii),
 * so `é` becomes `??`.
 */
export function cleanApplicationName(value: string): string {
  let bytes = 0;
  let out = '';
  for (const ch of value) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > 63) break;
    bytes += size;
    const code = ch.codePointAt(0) as number;
    out += code >= 32 && code <= 126 ? ch : '?'.repeat(size);
  }
  return out;
}

/**
 * The isolation level names. restsql serve runs every transaction on a DuckDB snapshot
 * (multi-version concurrency control: a transaction sees the data as of its start), which is what
 * PostgreSQL calls repeatable read (PostgreSQL 15 transaction-iso, "Repeatable Read Isolation
 * Level" is snapshot isolation). So the default is 'repeatable read'; a client asking for another
 * level is answered with the level it asked for, as PostgreSQL answers 'read uncommitted' while it
 * runs read committed: no level a client may ask for is weaker than the snapshot it gets.
 */
function parseIsolation(name: string): (value: string) => string {
  return (value) => parseEnum(name, value, ISOLATION_LEVELS);
}

function onlyValue(name: string, allowed: readonly string[], supported: string, why: string): (value: string) => string {
  return (value) => {
    const v = parseEnum(name, value, allowed);
    if (v !== supported) throw unsupported(name, value, why, `Use SET ${name} = '${supported}'.`);
    return v;
  };
}

/**
 * session_authorization and role: restsql serve has one user per session, so only that user (or
 * none, for role) can be chosen; pg_dump-style scripts that set the user they connected as work.
 */
function parseSessionUser(value: string, ctx: ParseContext): string {
  if (value === ctx.user) return value;
  throw new RestSqlError('SERVER_UNSUPPORTED', `restsql serve cannot change the session user to "${value}"`, { details: { parameter: 'session_authorization' }, hint: `This session's user is "${ctx.user}".` });
}

function parseRole(value: string, ctx: ParseContext): string {
  if (value.toLowerCase() === 'none') return 'none';
  if (value === ctx.user) return value;
  throw new RestSqlError('SETTING_INVALID_VALUE', `role "${value}" does not exist`, { details: { parameter: 'role' }, hint: `restsql serve knows one role per session: "${ctx.user}".` });
}

/** `15.18 (restsql 1.2.3)` -> `150018`, as server_version_num encodes major * 10000 + minor. */
export function versionNumber(serverVersion: string): string {
  const m = /^(\d+)(?:\.(\d+))?/.exec(serverVersion);
  if (m === null) return '0';
  return String(Number(m[1]) * 10000 + Number(m[2] ?? 0));
}

const LOCALE = 'C.UTF-8';

/** The settings in PostgreSQL's order (SHOW ALL sorts them by name, ignoring case). */
export const SETTINGS: readonly SettingDef[] = [
  { name: 'application_name', description: 'Sets the application name to be reported in statistics and logs.', boot: fixed(''), parse: cleanApplicationName, reported: true },
  { name: 'backslash_quote', description: 'Sets whether "\\\'" is allowed in string literals.', boot: fixed('safe_encoding'), parse: (v) => parseEnum('backslash_quote', v, ['safe_encoding', 'on', 'off']) },
  { name: 'block_size', description: 'Shows the size of a disk block.', boot: fixed('8192'), parse: any, readOnly: true },
  {
    name: 'bytea_output',
    description: 'Sets the output format for bytea.',
    boot: fixed('hex'),
    parse: onlyValue('bytea_output', ['escape', 'hex'], 'hex', 'restsql serve writes bytea in hex format only'),
  },
  { name: 'client_encoding', description: "Sets the client's character set encoding.", boot: fixed('UTF8'), parse: parseClientEncoding, reported: true },
  { name: 'DateStyle', description: 'Sets the display format for date and time values.', boot: fixed('ISO, MDY'), parse: parseDateStyle, reported: true },
  { name: 'default_transaction_deferrable', description: 'Sets the default deferrable status of new transactions.', boot: fixed('off'), parse: bool('default_transaction_deferrable') },
  { name: 'default_transaction_isolation', description: 'Sets the transaction isolation level of each new transaction.', boot: fixed('repeatable read'), parse: parseIsolation('default_transaction_isolation') },
  { name: 'default_transaction_read_only', description: 'Sets the default read-only status of new transactions.', boot: fixed('off'), parse: bool('default_transaction_read_only'), reported: true },
  { name: 'escape_string_warning', description: 'Warn about backslash escapes in ordinary string literals.', boot: fixed('on'), parse: bool('escape_string_warning') },
  {
    name: 'extra_float_digits',
    description: 'Sets the number of digits displayed for floating-point values.',
    boot: fixed('1'),
    parse: (v) => String(parseInteger('extra_float_digits', v, [-15, 3], undefined)),
  },
  { name: 'idle_in_transaction_session_timeout', description: 'Sets the maximum allowed idle time between queries, when in a transaction.', boot: fixed('0'), parse: timeout('idle_in_transaction_session_timeout') },
  { name: 'idle_session_timeout', description: 'Sets the maximum allowed idle time between queries, when not in a transaction.', boot: fixed('0'), parse: timeout('idle_session_timeout') },
  { name: 'in_hot_standby', description: 'Shows whether hot standby is currently active.', boot: fixed('off'), parse: any, reported: true, readOnly: true },
  { name: 'integer_datetimes', description: 'Shows whether datetimes are integer based.', boot: fixed('on'), parse: any, reported: true, readOnly: true },
  {
    name: 'IntervalStyle',
    description: 'Sets the display format for interval values.',
    boot: fixed('postgres'),
    parse: onlyValue('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'], 'postgres', 'restsql serve writes intervals in the postgres style only'),
    reported: true,
  },
  // is_superuser: restsql serve's users are not PostgreSQL superusers; tools that offer
  // administration when it is on should not.
  { name: 'is_superuser', description: 'Shows whether the current user is a superuser.', boot: fixed('off'), parse: any, reported: true, readOnly: true, hidden: true },
  { name: 'lc_collate', description: 'Shows the collation order locale.', boot: fixed(LOCALE), parse: any, readOnly: true },
  { name: 'lc_ctype', description: 'Shows the character classification and case conversion locale.', boot: fixed(LOCALE), parse: any, readOnly: true },
  { name: 'lc_messages', description: 'Sets the language in which messages are displayed.', boot: fixed(LOCALE), parse: any },
  { name: 'lc_monetary', description: 'Sets the locale for formatting monetary amounts.', boot: fixed(LOCALE), parse: any },
  { name: 'lc_numeric', description: 'Sets the locale for formatting numbers.', boot: fixed(LOCALE), parse: any },
  { name: 'lc_time', description: 'Sets the locale for formatting date and time values.', boot: fixed(LOCALE), parse: any },
  { name: 'lock_timeout', description: 'Sets the maximum allowed duration of any wait for a lock.', boot: fixed('0'), parse: timeout('lock_timeout') },
  { name: 'max_identifier_length', description: 'Shows the maximum identifier length.', boot: fixed('63'), parse: any, readOnly: true },
  { name: 'role', description: 'Sets the current role.', boot: fixed('none'), parse: parseRole, hidden: true, noResetAll: true },
  { name: 'row_security', description: 'Enable row security.', boot: fixed('on'), parse: bool('row_security') },
  { name: 'search_path', description: 'Sets the schema search order for names that are not schema-qualified.', boot: fixed('"$user", public'), parse: any },
  { name: 'server_encoding', description: 'Shows the server (database) character set encoding.', boot: fixed('UTF8'), parse: any, reported: true, readOnly: true },
  { name: 'server_version', description: 'Shows the server version.', boot: (c) => c.serverVersion, parse: any, reported: true, readOnly: true },
  { name: 'server_version_num', description: 'Shows the server version as an integer.', boot: (c) => versionNumber(c.serverVersion), parse: any, readOnly: true },
  { name: 'session_authorization', description: 'Sets the session user name.', boot: (c) => c.user, parse: parseSessionUser, reported: true, hidden: true, noResetAll: true },
  {
    name: 'standard_conforming_strings',
    description: "Causes '...' strings to treat backslashes literally.",
    boot: fixed('on'),
    parse: (v) => {
      if (!parseBoolean('standard_conforming_strings', v)) {
        throw unsupported('standard_conforming_strings', v, "restsql serve reads '...' strings with backslashes as plain characters", "Leave it on; write E'...' for a string with backslash escapes.");
      }
      return 'on';
    },
    reported: true,
  },
  { name: 'statement_timeout', description: 'Sets the maximum allowed duration of any statement.', boot: fixed('0'), parse: timeout('statement_timeout') },
  { name: 'TimeZone', description: 'Sets the time zone for displaying and interpreting time stamps.', boot: (c) => c.timeZone, parse: parseTimeZone, reported: true },
  { name: 'timezone_abbreviations', description: 'Selects a file of time zone abbreviations.', boot: fixed('Default'), parse: any },
  {
    name: 'transaction_deferrable',
    description: 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.',
    boot: fixed('off'),
    parse: bool('transaction_deferrable'),
    transaction: true,
    noResetAll: true,
  },
  { name: 'transaction_isolation', description: "Sets the current transaction's isolation level.", boot: fixed('repeatable read'), parse: parseIsolation('transaction_isolation'), transaction: true, noResetAll: true },
  { name: 'transaction_read_only', description: "Sets the current transaction's read-only status.", boot: fixed('off'), parse: bool('transaction_read_only'), transaction: true, noResetAll: true },
  {
    name: 'xmloption',
    description: 'Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.',
    boot: fixed('content'),
    parse: (v) => parseEnum('xmloption', v, ['content', 'document']),
  },
];

/** The reported settings (GUC_REPORT), in the order PostgreSQL 15 sends them at startup. */
export const REPORTED_SETTINGS: readonly string[] = SETTINGS.filter((s) => s.reported).map((s) => s.name);

const BY_NAME = new Map(SETTINGS.map((s) => [s.name.toLowerCase(), s] as const));

export function settingDef(name: string): SettingDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Settings whose value is a list (GUC_LIST_INPUT): `SET name = a, b` is allowed and the elements
 * are joined with ', '; for the 'quoted' ones (GUC_LIST_QUOTE) each element is printed as a name
 * (quote_identifier). Includes PostgreSQL list settings restsql serve only stores.
 */
const LIST_SETTINGS: ReadonlyMap<string, 'plain' | 'quoted'> = new Map([
  ['datestyle', 'plain'],
  ['search_path', 'quoted'],
  ['temp_tablespaces', 'quoted'],
  ['local_preload_libraries', 'quoted'],
  ['session_preload_libraries', 'quoted'],
  ['shared_preload_libraries', 'quoted'],
  ['log_destination', 'plain'],
]);

export function listStyle(name: string): 'plain' | 'quoted' | undefined {
  return LIST_SETTINGS.get(name.toLowerCase());
}
