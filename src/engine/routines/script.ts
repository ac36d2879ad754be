/**
 * Reading a script for the statements routines answer: the script's statements (a `;` inside a
 * routine definition's `BEGIN ATOMIC ... END` does not end it, as in PostgreSQL's grammar), and
 * the forms `CALL name(args)`, `DROP FUNCTION|PROCEDURE|ROUTINE [IF EXISTS] name`.
 */
import { tokens, type Token } from '../../sql/lexer.js';

/** One statement of a script: its text (first token to last, no `;`) and its tokens. */
export interface ScriptStatement {
  readonly text: string;
  /** Index of the statement's first character in the script. */
  readonly start: number;
  readonly tokens: readonly Token[];
}

/** `CALL name [(args)]`. */
export interface CallForm {
  readonly name: string;
  /** Each argument's text. */
  readonly args: readonly string[];
}

/** `DROP FUNCTION|PROCEDURE|ROUTINE [IF EXISTS] name [(types)] [CASCADE|RESTRICT]`. */
export interface DropForm {
  readonly kind: 'function' | 'procedure' | 'routine';
  readonly name: string;
  readonly ifExists: boolean;
}

/**
 * The statements of `text`, or undefined when it does not lex (an unterminated quote: running it
 * reports that). Within a statement that starts with CREATE, `BEGIN ATOMIC` opens a block that
 * its END closes (CASE ... END and nested BEGIN ... END counted), and a `;` inside it is the
 * block's.
 */
export function splitScript(text: string): ScriptStatement[] | undefined {
  const out: ScriptStatement[] = [];
  let current: Token[] = [];
  let blocks = 0;
  let cases = 0;
  const flush = () => {
    if (current.length > 0) out.push({ text: text.slice(current[0]!.start, current[current.length - 1]!.end), start: current[0]!.start, tokens: current });
    current = [];
    blocks = 0;
    cases = 0;
  };
  try {
    let prev: Token | undefined;
    for (const t of tokens(text)) {
      if (t.kind === 'punct' && t.text === ';' && blocks === 0) {
        flush();
        prev = undefined;
        continue;
      }
      current.push(t);
      const creating = current[0]!.kind === 'word' && current[0]!.value === 'create';
      if (creating && t.kind === 'word') {
        if (t.value === 'atomic' && prev?.kind === 'word' && prev.value === 'begin' && blocks === 0) blocks = 1;
        else if (blocks > 0 && t.value === 'begin') blocks++;
        else if (blocks > 0 && t.value === 'case') cases++;
        else if (blocks > 0 && t.value === 'end') {
          if (cases > 0) cases--;
          else blocks--;
        }
      }
      prev = t;
    }
  } catch {
    return undefined;
  }
  flush();
  return out;
}

/** A name token's name (a word as written, a quoted name unquoted). */
function nameOf(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'word') return t.text;
  if (t.kind === 'quotedIdent') return t.value;
  return undefined;
}

/** `CALL name [(args)]` with nothing after it; undefined for anything else. */
export function callForm(statement: ScriptStatement): CallForm | undefined {
  const toks = statement.tokens;
  if (toks[0]?.kind !== 'word' || toks[0].value !== 'call') return undefined;
  const name = nameOf(toks[1]);
  if (name === undefined) return undefined;
  if (toks.length === 2) return { name, args: [] };
  if (toks[2]?.kind !== 'punct' || toks[2].text !== '(') return undefined;
  const args: string[] = [];
  let depth = 0;
  let from = 3;
  for (let i = 2; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
    else if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) {
      depth--;
      if (depth === 0) {
        if (i !== toks.length - 1) return undefined;
        if (i > from) args.push(statement.text.slice(toks[from]!.start - statement.start, toks[i - 1]!.end - statement.start));
        else if (args.length > 0) return undefined;
        return { name, args };
      }
    } else if (depth === 1 && t.kind === 'punct' && t.text === ',') {
      if (i === from) return undefined;
      args.push(statement.text.slice(toks[from]!.start - statement.start, toks[i - 1]!.end - statement.start));
      from = i + 1;
    }
  }
  return undefined;
}

/** `DROP FUNCTION|PROCEDURE|ROUTINE [IF EXISTS] name [(...)] [CASCADE|RESTRICT]`; undefined for anything else. */
export function dropForm(statement: ScriptStatement): DropForm | undefined {
  const toks = statement.tokens;
  const word = (i: number) => (toks[i]?.kind === 'word' ? toks[i]!.value : undefined);
  if (word(0) !== 'drop') return undefined;
  const kind = word(1);
  if (kind !== 'function' && kind !== 'procedure' && kind !== 'routine') return undefined;
  let i = 2;
  const ifExists = word(i) === 'if' && word(i + 1) === 'exists';
  if (ifExists) i += 2;
  const name = nameOf(toks[i]);
  if (name === undefined) return undefined;
  i++;
  if (toks[i]?.kind === 'punct' && toks[i]!.text === '(') {
    let depth = 0;
    for (; i < toks.length; i++) {
      if (toks[i]!.kind === 'punct' && toks[i]!.text === '(') depth++;
      else if (toks[i]!.kind === 'punct' && toks[i]!.text === ')' && --depth === 0) break;
    }
    i++;
  }
  if (word(i) === 'cascade' || word(i) === 'restrict') i++;
  return i === toks.length ? { kind, name, ifExists } : undefined;
}
