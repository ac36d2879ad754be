import { RestSqlError } from '../../errors/index.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { parseTimeZone, REPORTED_SETTINGS, SETTINGS, settingDef, type BootContext, type SettingDef } from './settings-catalog.js';
import { parseBoolean, parseTimeout } from './setting-values.js';
import type { IsolationLevel, TransactionModes } from './transaction-modes.js';

/** A ParameterStatus message to send: name (PostgreSQL's spelling) and value. */
export type ParameterStatus = readonly [name: string, value: string];

/** What SHOW answers: text columns and rows (SHOW name: one column named after the setting). */
export interface ShowResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface SessionSettingsInit {
  readonly user: string;
  readonly database: string;
  /** server_version, e.g. `15.18 (restsql 0.1.0)`. */
  readonly serverVersion: string;
  readonly applicationName?: string;
  /** The server's default TimeZone; the host's zone (as Intl reports it) when left out. */
  readonly timeZone?: string;
  /** The startup packet's parameters (user, database, options, DateStyle, TimeZone, ...). */
  readonly startupOptions?: ReadonlyMap<string, string>;
}

/** Startup packet entries that are not settings (PostgreSQL 15 protocol-message-formats, StartupMessage). */
const NOT_SETTINGS = new Set(['user', 'database', 'options', 'replication']);

interface TransactionState {
  isolation: string;
  readOnly: string;
  deferrable: string;
  /** Values as they were at BEGIN: what ROLLBACK restores. */
  readonly atBegin: Map<string, string>;
  /** Values as COMMIT would keep them: the effective values without SET LOCAL. */
  sessionValues: Map<string, string>;
  readonly savepoints: { readonly name: string; readonly values: Map<string, string>; readonly sessionValues: Map<string, string> }[];
}

/**
 * One session's settings as PostgreSQL 15 keeps them (PostgreSQL 15 sql-set, sql-show,
 * sql-reset, config-setting): SET, SET LOCAL, RESET, SHOW, the values the startup packet sets,
 * and what a transaction's end does to them (ROLLBACK undoes the SETs made in it, COMMIT keeps
 * them, SET LOCAL lasts to the transaction's end, ROLLBACK TO SAVEPOINT undoes those after it).
 *
 * Names are case-insensitive; SHOW and ParameterStatus use PostgreSQL's spelling (DateStyle,
 * TimeZone). Names restsql serve does not model are accepted by SET and stored, unlike
 * PostgreSQL, which refuses a name without a dot that it does not know: drivers and tools set
 * settings of their own choosing at connect time (jit, lc_messages, extension settings) and a
 * refusal would break the connection for a setting that changes nothing here. SHOW of a name
 * neither modelled nor set is refused as PostgreSQL refuses it.
 *
 * Mutating methods return the ParameterStatus messages to send now: the reported settings
 * (GUC_REPORT) whose value differs from the one last reported.
 */
export class SessionSettings {
  private readonly user: string;
  private readonly bootValues = new Map<string, string>();
  private values: Map<string, string>;
  private readonly resetValues = new Map<string, string>();
  /** Spelling of names not in the catalog, by lower-cased name. */
  private readonly customNames = new Map<string, string>();
  private readonly lastReported = new Map<string, string>();
  private txn: TransactionState | undefined;

  constructor(init: SessionSettingsInit) {
    this.user = init.user;
    const boot: BootContext = {
      user: init.user,
      serverVersion: init.serverVersion,
      timeZone: init.timeZone === undefined ? hostTimeZone() : parseTimeZone(init.timeZone),
    };
    for (const def of SETTINGS) this.bootValues.set(key(def.name), def.boot(boot));
    this.values = new Map(this.bootValues);
    // PostgreSQL applies the `options` switches first, then the other parameters, in order.
    const startup = init.startupOptions ?? new Map<string, string>();
    const options = startup.get('options');
    if (options !== undefined) for (const [name, value] of parseStartupOptions(options)) this.assign(name, value, false);
    for (const [name, value] of startup) {
      if (NOT_SETTINGS.has(name) || name.startsWith('_pq_.')) continue;
      this.assign(name, value, false);
    }
    if (init.applicationName !== undefined) this.assign('application_name', init.applicationName, false);
    // What the startup packet set is what RESET returns to.
    for (const [k, v] of this.values) this.resetValues.set(k, v);
    for (const name of REPORTED_SETTINGS) this.lastReported.set(key(name), this.effective(key(name)));
  }

  /**
   * The ParameterStatus messages PostgreSQL 15 sends after AuthenticationOk, in its order.
   * Recorded 2026-12-03 from PostgreSQL 15.18 (Debian 15.18-0+deb12u1), default settings, by
   * reading the startup answer with pg-protocol:
   *   application_name "", client_encoding UTF8, DateStyle "ISO, MDY",
   *   default_transaction_read_only off, in_hot_standby off, integer_datetimes on,
   *   IntervalStyle postgres, is_superuser on, server_encoding UTF8,
   *   server_version "15.18 (Debian 15.18-0+deb12u1)", session_authorization postgres,
   *   standard_conforming_strings on, TimeZone Etc/UTC.
   * restsql serve differs in is_superuser (off) and server_version (its own).
   */
  reported(): ParameterStatus[] {
    return REPORTED_SETTINGS.map((name) => {
      const value = this.effective(key(name));
      this.lastReported.set(key(name), value);
      return [name, value] as const;
    });
  }

  /**
   * SET name = value (or SET LOCAL with `local`). `value` 'DEFAULT' is SET name TO DEFAULT (the
   * reset value). SET LOCAL outside a transaction has no effect, as in PostgreSQL (which also
   * warns "SET LOCAL can only be used in transaction blocks").
   */
  set(name: string, value: string, local = false): ParameterStatus[] {
    this.assign(name, value, local);
    return this.changedReports();
  }

  /** RESET name, or RESET ALL (every changeable setting but the transaction's and the user's). */
  reset(name: string | 'ALL'): ParameterStatus[] {
    if (name !== 'ALL') return this.set(name, 'DEFAULT');
    for (const def of SETTINGS) {
      if (def.readOnly || def.noResetAll || def.transaction) continue;
      this.assign(def.name, 'DEFAULT', false);
    }
    for (const custom of this.customNames.values()) this.assign(custom, 'DEFAULT', false);
    return this.changedReports();
  }

  /** SHOW name or SHOW ALL (name, setting, description of each setting SHOW ALL lists). */
  show(name: string | 'ALL'): ShowResult {
    if (name === 'ALL') {
      const rows = SETTINGS.filter((d) => !d.hidden)
        .map((d) => [d.name, this.effective(key(d.name)), d.description] as const)
        .sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
      return { columns: ['name', 'setting', 'description'], rows };
    }
    const def = settingDef(name);
    const column = def?.name ?? this.customNames.get(key(name));
    if (column === undefined) {
      throw new RestSqlError('SETTING_UNKNOWN', `unrecognized configuration parameter "${name}"`, {
        details: { parameter: name },
        hint: `SHOW ALL lists the settings restsql serve knows.${didYouMean(name, SETTINGS.map((d) => d.name))}`,
      });
    }
    return { columns: [column], rows: [[this.effective(key(name))]] };
  }

  /** The value SHOW name would print (throws for an unknown name like SHOW). */
  value(name: string): string {
    return this.show(name).rows[0]?.[0] ?? '';
  }

  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  /**
   * BEGIN / START TRANSACTION: the transaction's characteristics are the modes given, else the
   * session defaults. A BEGIN inside a transaction changes nothing (PostgreSQL warns).
   */
  beginTransaction(modes: TransactionModes = {}): void {
    if (this.txn !== undefined) return;
    this.txn = {
      isolation: modes.isolation ?? this.effective('default_transaction_isolation'),
      readOnly: modes.readOnly === undefined ? this.effective('default_transaction_read_only') : onOff(modes.readOnly),
      deferrable: modes.deferrable === undefined ? this.effective('default_transaction_deferrable') : onOff(modes.deferrable),
      atBegin: new Map(this.values),
      sessionValues: new Map(this.values),
      savepoints: [],
    };
  }

  /**
   * SET TRANSACTION (`session` false: this transaction's characteristics; no effect outside one,
   * where PostgreSQL warns) or SET SESSION CHARACTERISTICS AS TRANSACTION (`session` true: the
   * default_transaction_* settings).
   */
  setTransactionModes(modes: TransactionModes, session: boolean): ParameterStatus[] {
    const prefix = session ? 'default_' : '';
    if (modes.isolation !== undefined) this.assign(`${prefix}transaction_isolation`, modes.isolation, false);
    if (modes.readOnly !== undefined) this.assign(`${prefix}transaction_read_only`, onOff(modes.readOnly), false);
    if (modes.deferrable !== undefined) this.assign(`${prefix}transaction_deferrable`, onOff(modes.deferrable), false);
    return this.changedReports();
  }

  /** COMMIT (`commit` true) or ROLLBACK: keeps or undoes the transaction's SETs; SET LOCAL ends. */
  endTransaction(commit: boolean): ParameterStatus[] {
    const txn = this.txn;
    if (txn === undefined) return [];
    this.values = commit ? txn.sessionValues : txn.atBegin;
    this.txn = undefined;
    return this.changedReports();
  }

  savepoint(name: string): void {
    if (this.txn === undefined) return;
    this.txn.savepoints.push({ name, values: new Map(this.values), sessionValues: new Map(this.txn.sessionValues) });
  }

  /** RELEASE SAVEPOINT: forgets the savepoint and those after it; the SETs stay. */
  releaseSavepoint(name: string): void {
    const txn = this.txn;
    if (txn === undefined) return;
    txn.savepoints.splice(this.savepointIndex(txn, name));
  }

  /** ROLLBACK TO SAVEPOINT: undoes the SETs made after it; the savepoint stays. */
  rollbackToSavepoint(name: string): ParameterStatus[] {
    const txn = this.txn;
    if (txn === undefined) return [];
    const i = this.savepointIndex(txn, name);
    const sp = txn.savepoints[i] as TransactionState['savepoints'][number];
    txn.savepoints.splice(i + 1);
    this.values = new Map(sp.values);
    txn.sessionValues = new Map(sp.sessionValues);
    return this.changedReports();
  }

  get timeZone(): string {
    return this.effective('timezone');
  }

  get extraFloatDigits(): number {
    return Number(this.effective('extra_float_digits'));
  }

  get statementTimeoutMs(): number {
    return parseTimeout('statement_timeout', this.effective('statement_timeout'));
  }

  get idleInTransactionSessionTimeoutMs(): number {
    return parseTimeout('idle_in_transaction_session_timeout', this.effective('idle_in_transaction_session_timeout'));
  }

  get lockTimeoutMs(): number {
    return parseTimeout('lock_timeout', this.effective('lock_timeout'));
  }

  get applicationName(): string {
    return this.effective('application_name');
  }

  get clientEncoding(): string {
    return this.effective('client_encoding');
  }

  /** default_transaction_read_only. */
  get readOnlyDefault(): boolean {
    return parseBoolean('default_transaction_read_only', this.effective('default_transaction_read_only'));
  }

  /** transaction_read_only: the open transaction's, else the default. */
  get transactionReadOnly(): boolean {
    return parseBoolean('transaction_read_only', this.effective('transaction_read_only'));
  }

  get isolationLevel(): IsolationLevel {
    return this.effective('transaction_isolation') as IsolationLevel;
  }

  private assign(name: string, value: string, local: boolean): void {
    const k = key(name);
    const def = settingDef(name);
    if (def?.readOnly) {
      throw new RestSqlError('SETTING_READ_ONLY', `parameter "${def.name}" cannot be changed`, { details: { parameter: def.name }, hint: 'It is fixed by the server; SHOW reads it.' });
    }
    // A transaction setting's default is its session default (default_transaction_isolation, ...).
    const fallback = def?.transaction ? this.effective(`default_${k}`) : this.resetValue(k);
    const parsed = value === 'DEFAULT' ? fallback : def === undefined ? value : this.parse(def, value);
    if (def === undefined && !this.customNames.has(k)) this.customNames.set(k, name);
    if (def?.transaction) {
      if (this.txn !== undefined) this.setTransactionField(k, parsed);
      return;
    }
    if (local && this.txn === undefined) return;
    this.values.set(k, parsed);
    if (this.txn !== undefined && !local) this.txn.sessionValues.set(k, parsed);
  }

  private parse(def: SettingDef, value: string): string {
    const k = key(def.name);
    return def.parse(value, { current: this.effective(k), reset: this.resetValue(k), user: this.user });
  }

  private resetValue(k: string): string {
    return this.resetValues.get(k) ?? this.bootValues.get(k) ?? '';
  }

  /** The value in force; transaction settings outside a transaction show the session defaults. */
  private effective(k: string): string {
    const txn = this.txn;
    switch (k) {
      case 'transaction_isolation':
        return txn?.isolation ?? this.effective('default_transaction_isolation');
      case 'transaction_read_only':
        return txn?.readOnly ?? this.effective('default_transaction_read_only');
      case 'transaction_deferrable':
        return txn?.deferrable ?? this.effective('default_transaction_deferrable');
      default:
        return this.values.get(k) ?? '';
    }
  }

  private setTransactionField(k: string, value: string): void {
    const txn = this.txn as TransactionState;
    if (k === 'transaction_isolation') txn.isolation = value;
    else if (k === 'transaction_read_only') txn.readOnly = value;
    else txn.deferrable = value;
  }

  private savepointIndex(txn: TransactionState, name: string): number {
    for (let i = txn.savepoints.length - 1; i >= 0; i--) if (txn.savepoints[i]?.name === name) return i;
    // PostgreSQL answers 3B001 invalid_savepoint_specification; QUERY_FAILED until the catalog has it.
    throw new RestSqlError('SAVEPOINT_UNKNOWN', `savepoint "${name}" does not exist`, { hint: 'SAVEPOINT name creates one; names are case-sensitive when quoted.' });
  }

  private changedReports(): ParameterStatus[] {
    const out: ParameterStatus[] = [];
    for (const name of REPORTED_SETTINGS) {
      const k = key(name);
      const value = this.effective(k);
      if (this.lastReported.get(k) !== value) {
        this.lastReported.set(k, value);
        out.push([name, value]);
      }
    }
    return out;
  }
}

function key(name: string): string {
  return name.toLowerCase();
}

function onOff(b: boolean): string {
  return b ? 'on' : 'off';
}

/** The host's time zone as Intl reports it (as initdb writes the host's zone), else UTC. */
function hostTimeZone(): string {
  try {
    return parseTimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch {
    return 'UTC';
  }
}

/**
 * The startup packet's `options` parameter as PostgreSQL 15 reads it (pg_split_opts and the
 * postgres command-line switches): words split at spaces, a backslash keeping the next character
 * (`\ ` is a space in a value), then `-c name=value`, `-cname=value` or `--name=value`, with `-`
 * in a name read as `_`. Other switches are refused with PostgreSQL's message.
 */
export function parseStartupOptions(options: string): [name: string, value: string][] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i] as string;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === '\\' && i + 1 < options.length) word += options[++i];
      else word += c;
    }
  }
  if (inWord) words.push(word);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    let assignment: string;
    if (w === '-c') {
      const next = words[++i];
      if (next === undefined) throw badSwitch('-c requires a value', 'Write -c name=value.');
      assignment = next;
    } else if (w.startsWith('-c')) {
      assignment = w.slice(2);
    } else if (w.startsWith('--') && w.length > 2) {
      assignment = w.slice(2);
    } else {
      throw badSwitch(`invalid command-line argument for server process: ${w}`, 'restsql serve reads -c name=value and --name=value in options.');
    }
    const eq = assignment.indexOf('=');
    if (eq < 0) {
      throw badSwitch(w === '-c' || w.startsWith('-c') ? `-c ${assignment} requires a value` : `--${assignment} requires a value`, 'Write -c name=value.');
    }
    out.push([assignment.slice(0, eq).replace(/-/g, '_'), assignment.slice(eq + 1)]);
  }
  return out;
}

function badSwitch(message: string, hint: string): RestSqlError {
  return new RestSqlError('QUERY_SYNTAX', message, { hint });
}
