import { RestSqlError } from '../../errors/index.js';
import { tokens, type Token } from '../../sql/lexer.js';
import { parseCopy, type CopyOptions } from './copy-command.js';
import { quoteIdentifier } from './quote-identifier.js';
import { listStyle } from './settings-catalog.js';
import { TokenCursor } from './token-cursor.js';
import type { IsolationLevel, TransactionModes } from './transaction-modes.js';

export type { CopyOptions } from './copy-command.js';
export type { IsolationLevel, TransactionModes } from './transaction-modes.js';

/**
 * A statement as the session sees it: one of the commands the server answers itself (with the
 * CommandComplete tag PostgreSQL 15 sends for it, protocol-message-formats "CommandComplete"), or
 * 'engine' for everything DuckDB runs. Names follow PostgreSQL: unquoted folded to lower case,
 * "quoted" kept as written.
 */
export type Command =
  /** Nothing but whitespace, comments and semicolons: EmptyQueryResponse. */
  | { readonly kind: 'empty' }
  /**
   * SET [SESSION | LOCAL] name {= | TO} value[, ...] | DEFAULT; SET TIME ZONE; SET NAMES
   * (client_encoding); SET SCHEMA (search_path); SET ROLE; SET SESSION AUTHORIZATION; SET XML
   * OPTION (xmloption). `value` is 'DEFAULT' for the DEFAULT key word (and for SET TIME ZONE
   * LOCAL); a list is joined with ', ' as PostgreSQL flattens it.
   */
  | { readonly kind: 'set'; readonly tag: 'SET'; readonly name: string; readonly value: string | 'DEFAULT'; readonly local: boolean }
  /** SET TRANSACTION modes (`session` false) or SET SESSION CHARACTERISTICS AS TRANSACTION modes (true). */
  | { readonly kind: 'setTransaction'; readonly tag: 'SET'; readonly session: boolean; readonly modes: TransactionModes }
  | { readonly kind: 'reset'; readonly tag: 'RESET'; readonly name: string | 'ALL' }
  | { readonly kind: 'show'; readonly tag: 'SHOW'; readonly name: string | 'ALL' }
  /**
   * BEGIN [WORK | TRANSACTION] [modes] or START TRANSACTION [modes]. `readOnly` is true when READ
   * ONLY was written; `modes` holds what was written (the session defaults fill in the rest:
   * SessionSettings.beginTransaction).
   */
  | { readonly kind: 'begin'; readonly tag: 'BEGIN' | 'START TRANSACTION'; readonly readOnly: boolean; readonly modes: TransactionModes }
  /** COMMIT | END [WORK | TRANSACTION] [AND [NO] CHAIN]. */
  | { readonly kind: 'commit'; readonly tag: 'COMMIT'; readonly chain: boolean }
  /** ROLLBACK | ABORT [WORK | TRANSACTION] [AND [NO] CHAIN]. */
  | { readonly kind: 'rollback'; readonly tag: 'ROLLBACK'; readonly chain: boolean }
  | { readonly kind: 'savepoint'; readonly tag: 'SAVEPOINT'; readonly name: string }
  | { readonly kind: 'release'; readonly tag: 'RELEASE'; readonly name: string }
  | { readonly kind: 'rollbackTo'; readonly tag: 'ROLLBACK'; readonly name: string }
  | { readonly kind: 'deallocate'; readonly tag: 'DEALLOCATE' | 'DEALLOCATE ALL'; readonly name: string | 'ALL' }
  | { readonly kind: 'discard'; readonly tag: 'DISCARD ALL' | 'DISCARD PLANS' | 'DISCARD SEQUENCES' | 'DISCARD TEMP'; readonly what: 'ALL' | 'PLANS' | 'SEQUENCES' | 'TEMP' }
  /** COPY ... TO STDOUT: run `query`, send its rows as COPY data; the tag is `COPY <rows>`. */
  | { readonly kind: 'copyOut'; readonly query: string; readonly options: CopyOptions }
  /** COPY ... FROM STDIN: restsql serve does not write to APIs, so the session refuses it. */
  | { readonly kind: 'copyIn' }
  /**
   * LISTEN, UNLISTEN and NOTIFY: nothing in restsql serve ever notifies, so the session can accept
   * them and send no NotificationResponse (PostgreSQL 15 sql-listen). They are returned rather
   * than refused because session-reset queries (connection poolers) include UNLISTEN *.
   */
  | { readonly kind: 'listen'; readonly tag: 'LISTEN'; readonly channel: string }
  | { readonly kind: 'unlisten'; readonly tag: 'UNLISTEN'; readonly channel: string | '*' }
  | { readonly kind: 'notify'; readonly tag: 'NOTIFY'; readonly channel: string; readonly payload: string }
  /** Anything else: the engine runs it. */
  | { readonly kind: 'engine' };

const HINTS = {
  set: 'Write SET name = value, SET name TO value or SET name TO DEFAULT.',
  reset: 'Write RESET name or RESET ALL.',
  show: 'Write SHOW name or SHOW ALL.',
  transaction: 'Write BEGIN [ISOLATION LEVEL {SERIALIZABLE | REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED}] [READ ONLY | READ WRITE] [[NOT] DEFERRABLE].',
  end: 'Write COMMIT [AND [NO] CHAIN], ROLLBACK [AND [NO] CHAIN] or ROLLBACK TO [SAVEPOINT] name.',
  savepoint: 'Write SAVEPOINT name, RELEASE [SAVEPOINT] name or ROLLBACK TO [SAVEPOINT] name.',
  deallocate: 'Write DEALLOCATE [PREPARE] name or DEALLOCATE ALL.',
  discard: 'Write DISCARD ALL, DISCARD PLANS, DISCARD SEQUENCES or DISCARD TEMP.',
  listen: 'Write LISTEN channel, UNLISTEN {channel | *} or NOTIFY channel [, \'payload\'].',
  copy: 'Write COPY table [(columns)] TO STDOUT [WITH] [(option value, ...)] or COPY (query) TO STDOUT [WITH] [(option value, ...)].',
} as const;

/**
 * Classifies one statement (as `splitStatements` returns it, or a Parse message's query; a
 * trailing `;` is allowed). Commands the server answers are parsed in full, and a malformed one
 * throws QUERY_SYNTAX with PostgreSQL's message (`syntax error at or near "x"`, `syntax error at
 * end of input`) and details.position (1-based, in characters of `sql`). Anything else is
 * 'engine' without reading further than its first words: the engine parses it.
 *
 * Two DuckDB forms go to the engine although they start like PostgreSQL's: SET/RESET VARIABLE
 * (DuckDB's session variables) and SHOW [ALL] TABLES (DuckDB's catalog listing), which
 * PostgreSQL would answer with an error anyway.
 */
export function classify(sql: string): Command {
  const it = tokens(sql);
  let first = it.next();
  while (first.done !== true && isSemicolon(first.value)) first = it.next();
  if (first.done === true) return { kind: 'empty' };
  const word = first.value.kind === 'word' ? first.value.value : '';
  if (!Object.hasOwn(HINT_FOR, word)) return { kind: 'engine' };
  const all = [first.value, ...it];
  while (all.length > 0 && isSemicolon(all[all.length - 1] as Token)) all.pop();
  const c = new TokenCursor(sql, all, HINT_FOR[word]);
  c.next();
  switch (word) {
    case 'set':
      return c.isWord('VARIABLE') ? { kind: 'engine' } : parseSet(c);
    case 'reset':
      if (c.isWord('VARIABLE')) return { kind: 'engine' };
      return { kind: 'reset', tag: 'RESET', name: settingName(c) };
    case 'show':
      if (c.isWord('TABLES') || (c.isWord('ALL') && c.isWord('TABLES', 1))) return { kind: 'engine' };
      return { kind: 'show', tag: 'SHOW', name: settingName(c) };
    case 'begin':
    case 'start':
      return parseBegin(word, c);
    case 'commit':
    case 'end':
    case 'rollback':
    case 'abort':
      return parseEnd(word, c);
    case 'savepoint':
    case 'release': {
      if (word === 'release') c.acceptWords('SAVEPOINT');
      const name = c.name();
      c.end();
      return word === 'savepoint' ? { kind: 'savepoint', tag: 'SAVEPOINT', name } : { kind: 'release', tag: 'RELEASE', name };
    }
    case 'deallocate': {
      c.acceptWords('PREPARE');
      if (c.acceptWords('ALL')) {
        c.end();
        return { kind: 'deallocate', tag: 'DEALLOCATE ALL', name: 'ALL' };
      }
      const name = c.name();
      c.end();
      return { kind: 'deallocate', tag: 'DEALLOCATE', name };
    }
    case 'discard': {
      const what = c.acceptOneOf('ALL', 'PLANS', 'SEQUENCES', 'TEMP', 'TEMPORARY');
      if (what === undefined) c.fail();
      c.end();
      const w = what === 'TEMPORARY' ? 'TEMP' : (what as 'ALL' | 'PLANS' | 'SEQUENCES' | 'TEMP');
      return { kind: 'discard', tag: `DISCARD ${w}`, what: w };
    }
    case 'prepare':
      // PREPARE TRANSACTION (two-phase commit); PREPARE name AS ... is the engine's.
      if (!c.isWord('TRANSACTION')) return { kind: 'engine' };
      throw twoPhase();
    case 'copy':
      return parseCopy(c);
    default:
      return parseListen(word, c);
  }
}

/** The first words classify reads further, each with the hint its syntax errors carry. */
const HINT_FOR: Readonly<Record<string, string | undefined>> = {
  set: HINTS.set,
  reset: HINTS.reset,
  show: HINTS.show,
  begin: HINTS.transaction,
  start: HINTS.transaction,
  commit: HINTS.end,
  end: HINTS.end,
  rollback: HINTS.end,
  abort: HINTS.end,
  savepoint: HINTS.savepoint,
  release: HINTS.savepoint,
  deallocate: HINTS.deallocate,
  discard: HINTS.discard,
  prepare: undefined,
  copy: HINTS.copy,
  listen: HINTS.listen,
  unlisten: HINTS.listen,
  notify: HINTS.listen,
};

function isSemicolon(t: Token): boolean {
  return t.kind === 'punct' && t.text === ';';
}

function twoPhase(): RestSqlError {
  return new RestSqlError('SERVER_UNSUPPORTED', 'restsql serve does not support two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED)', {
    hint: 'Use BEGIN and COMMIT.',
  });
}

/**
 * A setting's name after SHOW or RESET: name[.name...], ALL, or PostgreSQL's spelled-out forms
 * TIME ZONE, TRANSACTION ISOLATION LEVEL and SESSION AUTHORIZATION.
 */
function settingName(c: TokenCursor): string {
  let name: string;
  if (c.acceptWords('ALL')) name = 'ALL';
  else if (c.acceptWords('TIME', 'ZONE')) name = 'timezone';
  else if (c.acceptWords('TRANSACTION', 'ISOLATION', 'LEVEL')) name = 'transaction_isolation';
  else if (c.acceptWords('SESSION', 'AUTHORIZATION')) name = 'session_authorization';
  else name = varName(c);
  c.end();
  return name;
}

/** var_name: ColId ['.' ColId ...]. */
function varName(c: TokenCursor): string {
  const parts = [c.name()];
  while (c.acceptPunct('.')) parts.push(c.name());
  return parts.join('.');
}

type SetCommand = Extract<Command, { kind: 'set' | 'setTransaction' }>;

function parseSet(c: TokenCursor): SetCommand {
  let local = false;
  // SET SESSION AUTHORIZATION and SET SESSION CHARACTERISTICS are commands of their own; any
  // other SESSION is the (default) scope.
  if (c.acceptWords('LOCAL')) local = true;
  else if (c.isWord('SESSION') && !c.isWord('AUTHORIZATION', 1) && !c.isWord('CHARACTERISTICS', 1)) c.next();
  const set = (name: string, value: string): SetCommand => {
    c.end();
    return { kind: 'set', tag: 'SET', name, value, local };
  };
  if (c.acceptWords('TIME', 'ZONE')) return set('timezone', zoneValue(c));
  if (c.isWord('TRANSACTION') && c.isWord('SNAPSHOT', 1)) {
    throw new RestSqlError('SERVER_UNSUPPORTED', 'restsql serve does not support SET TRANSACTION SNAPSHOT', { hint: 'Each transaction reads its own snapshot.' });
  }
  if (c.acceptWords('TRANSACTION')) {
    const modes = transactionModes(c, true);
    c.end();
    return { kind: 'setTransaction', tag: 'SET', session: false, modes };
  }
  if (c.acceptWords('SESSION', 'CHARACTERISTICS')) {
    c.expectWords('AS', 'TRANSACTION');
    const modes = transactionModes(c, true);
    c.end();
    return { kind: 'setTransaction', tag: 'SET', session: true, modes };
  }
  if (c.acceptWords('SESSION', 'AUTHORIZATION')) return set('session_authorization', c.acceptWords('DEFAULT') ? 'DEFAULT' : wordOrString(c));
  if (c.isWord('CATALOG') && c.peek(1)?.kind === 'string') {
    throw c.errorAt(c.peek(1), 'SERVER_UNSUPPORTED', 'current database cannot be changed', 'Connect to the database you want instead.');
  }
  if (c.isWord('SCHEMA') && c.peek(1)?.kind === 'string') {
    c.next();
    return set('search_path', quoteIdentifier(stringValue(c)));
  }
  if (c.isWord('NAMES') && (c.peek(1) === undefined || c.peek(1)?.kind === 'string' || c.isWord('DEFAULT', 1))) {
    c.next();
    return set('client_encoding', c.atEnd() || c.acceptWords('DEFAULT') ? 'DEFAULT' : stringValue(c));
  }
  if (c.isWord('ROLE') && !isAssign(c, 1)) {
    c.next();
    return set('role', wordOrString(c));
  }
  if (c.isWord('XML') && c.isWord('OPTION', 1)) {
    c.next();
    c.next();
    const v = c.acceptOneOf('DOCUMENT', 'CONTENT');
    if (v === undefined) c.fail();
    return set('xmloption', v.toLowerCase());
  }
  const name = varName(c);
  if (c.isWord('FROM') && c.isWord('CURRENT', 1)) {
    throw new RestSqlError('SERVER_UNSUPPORTED', 'restsql serve does not support SET ... FROM CURRENT', { hint: 'SET name = value sets a value.' });
  }
  if (!c.acceptWords('TO') && !c.acceptPunct('=')) c.fail();
  if (c.isWord('DEFAULT') && c.peek(1) === undefined) {
    c.next();
    return set(name, 'DEFAULT');
  }
  const values: SetValue[] = [];
  do values.push(setValue(c));
  while (c.acceptPunct(','));
  c.end();
  const style = listStyle(name);
  if (values.length > 1 && style === undefined) {
    throw new RestSqlError('SETTING_INVALID_VALUE', `SET ${name} takes only one argument`, { details: { parameter: name }, hint: 'Quote a value that holds commas.' });
  }
  const text = values.map((v) => (style === 'quoted' && v.kind === 'text' ? quoteIdentifier(v.value) : v.value)).join(', ');
  return set(name, text);
}

function isAssign(c: TokenCursor, ahead: number): boolean {
  return c.isWord('TO', ahead) || c.isPunct('=', ahead) || c.isPunct('.', ahead);
}

interface SetValue {
  readonly kind: 'text' | 'number';
  readonly value: string;
}

/**
 * var_value: a string constant (with SQL-standard continuation across newlines), a word (folded
 * to lower case, as PostgreSQL reads a bare word: `SET x.y = Bare` stores `bare`), a "quoted"
 * name, TRUE/FALSE/ON, or a signed number: integers that fit in 32 bits are printed as integers
 * (`+007` is `7`), other numbers as written.
 */
function setValue(c: TokenCursor): SetValue {
  const t = c.peek();
  if (t === undefined) return c.fail();
  if (t.kind === 'string') return { kind: 'text', value: stringValue(c) };
  if (t.kind === 'word' || t.kind === 'quotedIdent') {
    c.next();
    return { kind: 'text', value: t.value };
  }
  let sign = '';
  if (c.isPunct('-') || c.isPunct('+')) {
    if (c.peek(1)?.kind !== 'number') c.failAt(c.peek(1));
    sign = (c.next() as Token).text;
  }
  return { kind: 'number', value: numberValue(c, sign) };
}

function numberValue(c: TokenCursor, sign: string): string {
  const t = c.peek();
  if (t === undefined || t.kind !== 'number') return c.failAt(t);
  c.next();
  const after = c.peek();
  if (after !== undefined && after.start === t.end && (after.kind === 'word' || after.kind === 'number')) {
    throw c.errorAt(t, 'QUERY_SYNTAX', `trailing junk after numeric literal at or near "${c.sql.slice(t.start, after.end)}"`);
  }
  if (/^\d+$/.test(t.text) && Number(t.text) <= 2_147_483_647) {
    const n = Number(t.text);
    return String(sign === '-' ? -n : n);
  }
  return (sign === '-' ? '-' : '') + t.text;
}

/** Sconst: a string constant, joined with the '...' constants continuing it on later lines. */
function stringValue(c: TokenCursor): string {
  const t = c.peek();
  if (t === undefined || t.kind !== 'string' || t.stringKind === 'bit' || t.stringKind === 'hex' || t.stringKind === 'national') return c.failAt(t);
  c.next();
  let value = t.value;
  if (t.stringKind !== 'dollar') {
    for (let n = c.peek(); n !== undefined && n.kind === 'string' && n.stringKind === 'standard' && n.newlineBefore; n = c.peek()) {
      value += n.value;
      c.next();
    }
  }
  return value;
}

/** NonReservedWord_or_Sconst. */
function wordOrString(c: TokenCursor): string {
  const t = c.peek();
  if (t !== undefined && (t.kind === 'word' || t.kind === 'quotedIdent')) {
    c.next();
    return t.value;
  }
  return stringValue(c);
}

/** zone_value of SET TIME ZONE: a string, a word, a number, DEFAULT or LOCAL (both mean the default). */
function zoneValue(c: TokenCursor): string {
  if (c.acceptOneOf('DEFAULT', 'LOCAL') !== undefined) return 'DEFAULT';
  if (c.isWord('INTERVAL')) {
    throw new RestSqlError('SERVER_UNSUPPORTED', 'restsql serve does not support SET TIME ZONE INTERVAL', { hint: "Use an IANA time zone name: SET TIME ZONE 'Europe/Paris'." });
  }
  const t = c.peek();
  if (t !== undefined && (t.kind === 'number' || c.isPunct('-') || c.isPunct('+'))) return setValue(c).value;
  return wordOrString(c);
}

function parseBegin(word: string, c: TokenCursor): Command {
  if (word === 'start') c.expectWords('TRANSACTION');
  else c.acceptOneOf('WORK', 'TRANSACTION');
  const modes = transactionModes(c, false);
  c.end();
  return { kind: 'begin', tag: word === 'start' ? 'START TRANSACTION' : 'BEGIN', readOnly: modes.readOnly === true, modes };
}

/**
 * transaction_mode_list: ISOLATION LEVEL level | READ ONLY | READ WRITE | [NOT] DEFERRABLE,
 * separated by commas or spaces; a later mode overrides an earlier one, as in PostgreSQL.
 */
function transactionModes(c: TokenCursor, required: boolean): TransactionModes {
  let isolation: IsolationLevel | undefined;
  let readOnly: boolean | undefined;
  let deferrable: boolean | undefined;
  let any = false;
  while (true) {
    if (c.acceptWords('ISOLATION', 'LEVEL')) {
      if (c.acceptWords('SERIALIZABLE')) isolation = 'serializable';
      else if (c.acceptWords('REPEATABLE', 'READ')) isolation = 'repeatable read';
      else if (c.acceptWords('READ', 'COMMITTED')) isolation = 'read committed';
      else if (c.acceptWords('READ', 'UNCOMMITTED')) isolation = 'read uncommitted';
      else c.fail();
    } else if (c.acceptWords('READ', 'ONLY')) readOnly = true;
    else if (c.acceptWords('READ', 'WRITE')) readOnly = false;
    else if (c.acceptWords('DEFERRABLE')) deferrable = true;
    else if (c.acceptWords('NOT', 'DEFERRABLE')) deferrable = false;
    else if (c.isWord('READ') || c.isWord('NOT') || c.isWord('ISOLATION')) c.failAt(c.peek(1));
    else {
      if (required && !any) c.fail();
      break;
    }
    any = true;
    if (c.acceptPunct(',') && c.atEnd()) c.fail();
  }
  return { ...(isolation === undefined ? {} : { isolation }), ...(readOnly === undefined ? {} : { readOnly }), ...(deferrable === undefined ? {} : { deferrable }) };
}

function parseEnd(word: string, c: TokenCursor): Command {
  const rollback = word === 'rollback' || word === 'abort';
  if ((word === 'commit' || word === 'rollback') && c.isWord('PREPARED')) throw twoPhase();
  c.acceptOneOf('WORK', 'TRANSACTION');
  if (word === 'rollback' && c.acceptWords('TO')) {
    c.acceptWords('SAVEPOINT');
    const name = c.name();
    c.end();
    return { kind: 'rollbackTo', tag: 'ROLLBACK', name };
  }
  let chain = false;
  if (c.acceptWords('AND')) {
    chain = !c.acceptWords('NO');
    c.expectWords('CHAIN');
  }
  c.end();
  return rollback ? { kind: 'rollback', tag: 'ROLLBACK', chain } : { kind: 'commit', tag: 'COMMIT', chain };
}

function parseListen(word: string, c: TokenCursor): Command {
  if (word === 'unlisten' && c.acceptPunct('*')) {
    c.end();
    return { kind: 'unlisten', tag: 'UNLISTEN', channel: '*' };
  }
  const channel = c.name();
  if (word === 'notify') {
    const payload = c.acceptPunct(',') ? stringValue(c) : '';
    c.end();
    return { kind: 'notify', tag: 'NOTIFY', channel, payload };
  }
  c.end();
  return word === 'listen' ? { kind: 'listen', tag: 'LISTEN', channel } : { kind: 'unlisten', tag: 'UNLISTEN', channel };
}
