/**
 * The shell's backslash commands, as data: `parseMeta` reads a line such as `\d orders` or
 * `\x auto` into a `MetaCommand`, and `META_HELP` is `\?`'s text. What each one does is the
 * REPL's (repl.ts), which switches over every kind (a kind left out does not compile).
 */
import { RestSqlError } from '../../errors/index.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { FORMATS, type Format } from '../format.js';

export type Toggle = 'on' | 'off';
export type ExpandedMode = Toggle | 'auto';

export type MetaCommand =
  | { readonly kind: 'tables' }
  | { readonly kind: 'describe'; readonly table: string }
  | { readonly kind: 'expanded'; readonly mode: ExpandedMode | 'toggle' }
  | { readonly kind: 'timing'; readonly mode: Toggle | 'toggle' }
  | { readonly kind: 'pager'; readonly mode: Toggle | 'toggle' }
  | { readonly kind: 'format'; readonly format: Format | undefined }
  | { readonly kind: 'output'; readonly file: string | undefined }
  | { readonly kind: 'include'; readonly file: string }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' };

export type MetaKind = MetaCommand['kind'];

/** Each command's names (the first is shown in help), arguments and help line. */
const COMMANDS: readonly { names: readonly string[]; args: string; help: string; kind: MetaKind }[] = [
  { names: ['dt'], args: '', help: 'list the tables', kind: 'tables' },
  { names: ['d'], args: '[TABLE]', help: "a table's columns, types, keys, parent and child tables (without TABLE: \\dt)", kind: 'describe' },
  { names: ['x'], args: '[on|off|auto]', help: 'expanded display (one line per column); auto: when a row is wider than the terminal', kind: 'expanded' },
  { names: ['timing'], args: '[on|off]', help: 'show how long each statement took', kind: 'timing' },
  { names: ['format'], args: '[table|csv|json|ndjson]', help: 'output format (without one: show it)', kind: 'format' },
  { names: ['pager'], args: '[on|off]', help: 'page results longer than the terminal through $PAGER (default less -FRX)', kind: 'pager' },
  { names: ['o', 'out'], args: '[FILE]', help: 'send results to FILE (without one: back to standard output)', kind: 'output' },
  { names: ['i', 'include'], args: 'FILE', help: 'run the statements and meta-commands in FILE', kind: 'include' },
  { names: ['refresh'], args: '', help: 'drop the cached tables: the next statement fetches them again', kind: 'refresh' },
  { names: ['r', 'reset'], args: '', help: 'forget the statement typed so far', kind: 'reset' },
  { names: ['?', 'help'], args: '', help: 'this help', kind: 'help' },
  { names: ['q', 'quit'], args: '', help: 'quit (also Ctrl-D)', kind: 'quit' },
];

export const META_HELP =
  'Statements end with ; and may span lines. Ctrl-C cancels a running statement (or the line typed).\n' +
  COMMANDS.map((c) => `  \\${`${c.names[0]!} ${c.args}`.trimEnd().padEnd(30)} ${c.help}`).join('\n') +
  '\n';

/** Every meta-command name with its backslash, for completion. */
export const META_NAMES: readonly string[] = COMMANDS.flatMap((c) => c.names.map((n) => `\\${n}`));

function usage(message: string, hint: string): RestSqlError {
  return new RestSqlError('USAGE', message, { hint });
}

/**
 * The words of a meta-command's arguments: separated by whitespace; `'...'` or `"..."` quote a
 * word (a doubled quote inside stands for one), so a file name may hold spaces.
 */
export function metaWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const q = text[i];
    if (q === "'" || q === '"') {
      let word = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw usage(`Unterminated quote in ${text.trim()}.`, `Close the ${q} quote.`);
        if (text[j] === q) {
          if (text[j + 1] === q) {
            word += q;
            j += 2;
            continue;
          }
          break;
        }
        word += text[j];
        j++;
      }
      words.push(word);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j]!)) j++;
      words.push(text.slice(i, j));
      i = j;
    }
  }
  return words;
}

function toggle(name: string, word: string | undefined, also: readonly string[] = []): string {
  if (word === undefined) return 'toggle';
  const w = word.toLowerCase();
  if (w === 'on' || w === 'off' || also.includes(w)) return w;
  throw usage(`\\${name} takes ${['on', 'off', ...also].join(', ')} or nothing, not '${word}'.`, `\\${name} alone switches it.`);
}

/** Reads a line starting with `\` (leading whitespace allowed). Throws USAGE for an unknown command or bad arguments. */
export function parseMeta(line: string): MetaCommand {
  const m = /^\s*\\(\S+)(.*)$/s.exec(line);
  if (!m) throw usage('A meta-command starts with a backslash.', 'Type \\? for the list.');
  const name = m[1]!;
  const args = metaWords(m[2]!);
  const cmd = COMMANDS.find((c) => c.names.includes(name));
  if (!cmd) {
    throw usage(`Unknown meta-command \\${name}.${didYouMean(name, COMMANDS.flatMap((c) => c.names))}`, 'Type \\? for the list of meta-commands; SQL statements end with ;.');
  }
  const most = cmd.args === '' ? 0 : 1;
  if (args.length > most) throw usage(`\\${name} takes ${most === 0 ? 'no argument' : `one argument (${cmd.args})`}; got ${args.length}.`, `\\${name} ${cmd.args}`.trimEnd());
  const arg = args[0];
  switch (cmd.kind) {
    case 'tables':
    case 'refresh':
    case 'reset':
    case 'help':
    case 'quit':
      return { kind: cmd.kind };
    case 'describe':
      return arg === undefined ? { kind: 'tables' } : { kind: 'describe', table: arg };
    case 'expanded':
      return { kind: 'expanded', mode: toggle(name, arg, ['auto']) as ExpandedMode | 'toggle' };
    case 'timing':
    case 'pager':
      return { kind: cmd.kind, mode: toggle(name, arg) as Toggle | 'toggle' };
    case 'format': {
      if (arg === undefined) return { kind: 'format', format: undefined };
      const f = FORMATS.find((x) => x === arg.toLowerCase());
      if (!f) throw usage(`Unknown format '${arg}'.${didYouMean(arg, FORMATS)}`, `\\format takes ${FORMATS.join(', ')}.`);
      return { kind: 'format', format: f };
    }
    case 'output':
      return { kind: 'output', file: arg };
    case 'include':
      if (arg === undefined) throw usage('\\i needs a file name.', '\\i FILE runs the statements in FILE.');
      return { kind: 'include', file: arg };
    default: {
      const never: never = cmd.kind;
      throw new Error(`unhandled meta-command ${String(never)}`);
    }
  }
}
