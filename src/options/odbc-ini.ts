import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RestSqlError } from '../errors/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { RawOption } from './connection-string.js';

export interface DsnLookup {
  /** `--odbc-ini FILE`; overrides the search. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** `--odbc-ini FILE`, else `$ODBCINI`, else `~/.odbc.ini`, else `/etc/odbc.ini` (unixODBC's order). */
export function odbcIniCandidates(lookup: DsnLookup = {}): string[] {
  if (lookup.file) return [lookup.file];
  const env = lookup.env ?? process.env;
  const list: string[] = [];
  if (env.ODBCINI) list.push(env.ODBCINI);
  list.push(join(env.HOME || homedir(), '.odbc.ini'), '/etc/odbc.ini');
  return list;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2) {
    const a = v[0];
    const b = v[v.length - 1];
    if ((a === "'" && b === "'") || (a === '"' && b === '"')) return v.slice(1, -1).replaceAll(a + a, a);
    if (a === '{' && b === '}') return v.slice(1, -1).replaceAll('}}', '}').replaceAll('{{', '{');
  }
  return v;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: RawOption[];
}

/** Parses odbc.ini text: `[Name]` sections, `Key=value` lines, `;` and `#` comment lines. */
export function parseOdbcIni(text: string, file: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      if (close === -1) {
        throw new RestSqlError('CONFIG_DSN_SYNTAX', `${file}:${lineNo}: section header '${line}' has no closing ']'.`, {
          hint: 'Write section headers as [DataSourceName].',
          details: { file, line: lineNo },
        });
      }
      current = { name: line.slice(1, close).trim(), line: lineNo, entries: [] };
      sections.push(current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      // '=value' (no key) may be a secret's value: not echoed.
      throw new RestSqlError('CONFIG_DSN_SYNTAX', `${file}:${lineNo}: ${eq === 0 ? 'a line with no option name before its \'=\'' : `'${line.slice(0, 60)}'`} is not a Key=value line.`, {
        hint: 'Each line in a DSN section is Key=value; comments start with ; or #.',
        details: { file, line: lineNo },
      });
    }
    if (!current) {
      throw new RestSqlError('CONFIG_DSN_SYNTAX', `${file}:${lineNo}: Key=value line before any [DataSourceName] section.`, {
        hint: 'Start the file with a section header such as [MyApi].',
        details: { file, line: lineNo },
      });
    }
    current.entries.push({ key: line.slice(0, eq).trim(), value: unquote(line.slice(eq + 1)), source: `${file}:${lineNo}` });
  });
  return sections;
}

/** The options of DSN `name` (case-insensitive, as unixODBC matches), from the first odbc.ini that exists. */
export function readDsn(name: string, lookup: DsnLookup = {}): RawOption[] {
  const candidates = odbcIniCandidates(lookup);
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    throw new RestSqlError('CONFIG_DSN_NOT_FOUND', `No odbc.ini file found for DSN '${name}' (looked at ${candidates.join(', ')}).`, {
      hint: 'Pass --odbc-ini FILE, set ODBCINI, or create ~/.odbc.ini with a [' + name + '] section.',
      details: { dsn: name, candidates },
    });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RestSqlError('CONFIG_DSN_NOT_FOUND', `Cannot read odbc.ini file ${file}: ${(e as Error).message}`, {
      hint: 'Check the path and its permissions.',
      details: { file },
      cause: e,
    });
  }
  const sections = parseOdbcIni(text, file).filter((s) => !/^ODBC( Data Sources)?$/i.test(s.name));
  const section = sections.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!section) {
    const names = sections.map((s) => s.name);
    throw new RestSqlError('CONFIG_DSN_NOT_FOUND', `DSN '${name}' is not defined in ${file}.${didYouMean(name, names)}`, {
      hint: names.length ? `Defined there: ${names.join(', ')}.` : 'The file defines no data sources.',
      details: { dsn: name, file },
    });
  }
  return section.entries;
}
