import { OPTION_CATALOG, type OptionSpec } from './catalog.js';
import { behaviourText } from './effects.js';

function defaultText(spec: OptionSpec): string {
  if (spec.default === undefined) return '';
  if (spec.kind === 'boolean') return spec.default ? '1' : '0';
  const choice = spec.choices?.find((c) => c.value === spec.default);
  return choice ? `${spec.default} (${choice.names[0]})` : String(spec.default);
}

function valuesText(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'enum':
      return (spec.choices ?? []).map((c) => `${c.value} (${c.names[0]})`).join(', ');
    case 'integer':
      return `integer${spec.min !== undefined ? ` ${spec.min}–${spec.max ?? '∞'}` : ''}${spec.zeroMeansDefault ? ' (0: the default)' : ''}`;
    case 'boolean':
      return '0 or 1 (true or false)';
    case 'secret':
      return 'string (secret)';
    case 'url':
      return spec.methodPrefix ? '[GET |POST ]URL' : 'URL';
    default:
      return spec.kind;
  }
}

const MD_HEADER = `# Connection options

<!-- Generated from src/options/catalog.ts by \`npm run docs\`; the test suite fails when this file is stale. -->

Write options as \`Key=value\` pairs separated by \`;\` (for example
\`RestSamplePath=https://api.example.com/v1/items;Table=items\`), or put them in an odbc.ini section and
pass \`--dsn NAME\`. Names are case-insensitive; the aliases in the second column are accepted too.
Values may be quoted \`'...'\` or braced \`{...}\` (a \`;\` inside is then literal; double a closing
character to write it). \`\${NAME}\` reads environment variable NAME (\`$\${\` is a literal \`\${\`), which
keeps secrets out of DSN files and shell history.

DataDirect's JDBC URLs work as connection strings too: \`jdbc:datadirect:autorest:Config=api.rest;User=...\`,
with the server first if wanted (\`jdbc:datadirect:autorest://api.example.com;Config=...\`, read as
\`https://api.example.com\`, or \`jdbc:datadirect:autorest:https://api.example.com/;Config=...\`); the prefix is
case-insensitive, and JDBC's \`true\`/\`false\` and enum names are accepted wherever ODBC takes numbers.

The options of DataDirect's Autonomous REST Connector (ODBC 8.0 and JDBC 6.0) are accepted, each under its
long name, its ODBC short name or its JDBC name (see [Other names](#other-names)). The restsql column says
what each does here: *supported* options have their effect; options *accepted without effect* did
something in DataDirect's driver that has no counterpart in restsql, and print one notice line at
connect when given a value other than their default; *refused* options are rejected with the reason.
`;

function escapeCell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** docs/options.md. */
export function optionsMarkdown(): string {
  const groups = new Map<string, OptionSpec[]>();
  for (const spec of OPTION_CATALOG as readonly OptionSpec[]) {
    const list = groups.get(spec.group) ?? [];
    list.push(spec);
    groups.set(spec.group, list);
  }
  const parts = [MD_HEADER];
  for (const [group, specs] of groups) {
    parts.push(`\n## ${group}\n\n| Option | Aliases | Values | Default | restsql | Description |\n|---|---|---|---|---|---|`);
    for (const s of specs) {
      const choices = s.kind === 'enum' && s.key !== 'authenticationMethod'
        ? ' ' + (s.choices ?? []).map((c) => `\`${c.value}\`: ${c.doc}`).join(' ')
        : '';
      parts.push(`| \`${s.name}\` | ${s.aliases.map((a) => `\`${a}\``).join(', ')} | ${escapeCell(valuesText(s))} | ${escapeCell(defaultText(s))} | ${escapeCell(behaviourText(s))} | ${escapeCell(s.doc + choices)} |`);
    }
    if (group === 'Authentication') {
      const am = (OPTION_CATALOG as readonly OptionSpec[]).find((s) => s.key === 'authenticationMethod');
      parts.push('\n### AuthenticationMethod values\n\n| Number | Name | Description |\n|---|---|---|');
      for (const c of am?.choices ?? []) parts.push(`| ${c.value} | \`${c.names[0]}\` | ${escapeCell(c.doc)} |`);
    }
  }
  parts.push(`\n## Other names\n\nODBC short names and JDBC names, and the option each stands for (case-insensitive).\n\n| Name | Option |\n|---|---|`);
  const aliases = (OPTION_CATALOG as readonly OptionSpec[]).flatMap((s) => s.aliases.map((a) => [a, s.name] as const));
  aliases.sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()));
  for (const [alias, name] of aliases) parts.push(`| \`${alias}\` | \`${name}\` |`);
  return parts.join('\n') + '\n';
}

/** Plain text for `restsql options`. */
export function optionsText(): string {
  const lines: string[] = [];
  let group = '';
  for (const s of OPTION_CATALOG as readonly OptionSpec[]) {
    if (s.group !== group) {
      group = s.group;
      lines.push('', `${group}:`);
    }
    const alias = s.aliases.length ? ` (${s.aliases.join(', ')})` : '';
    const def = defaultText(s);
    lines.push(`  ${s.name}${alias}  [${valuesText(s)}]${def ? `  default ${def}` : ''}`);
    lines.push(`      ${s.doc}`);
    if (s.effect) lines.push(`      restsql: ${behaviourText(s)}`);
  }
  return lines.join('\n').trimStart() + '\n';
}
