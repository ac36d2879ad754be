import { OPTION_CATALOG, type OptionSpec } from './catalog.js';

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
      return `integer${spec.min !== undefined ? ` ${spec.min}–${spec.max ?? '∞'}` : ''}`;
    case 'boolean':
      return '0 or 1';
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
keeps secrets out of DSN files and shell history. \`DRIVER=\` and \`Description=\` are accepted and ignored.
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
    parts.push(`\n## ${group}\n\n| Option | Aliases | Values | Default | Description |\n|---|---|---|---|---|`);
    for (const s of specs) {
      const choices = s.kind === 'enum' && s.key !== 'authenticationMethod'
        ? ' ' + (s.choices ?? []).map((c) => `\`${c.value}\`: ${c.doc}`).join(' ')
        : '';
      parts.push(`| \`${s.name}\` | ${s.aliases.map((a) => `\`${a}\``).join(', ')} | ${escapeCell(valuesText(s))} | ${escapeCell(defaultText(s))} | ${escapeCell(s.doc + choices)} |`);
    }
    if (group === 'Authentication') {
      const am = (OPTION_CATALOG as readonly OptionSpec[]).find((s) => s.key === 'authenticationMethod');
      parts.push('\n### AuthenticationMethod values\n\n| Number | Name | Description |\n|---|---|---|');
      for (const c of am?.choices ?? []) parts.push(`| ${c.value} | \`${c.names[0]}\` | ${escapeCell(c.doc)} |`);
    }
  }
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
  }
  return lines.join('\n').trimStart() + '\n';
}
