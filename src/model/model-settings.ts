/**
 * Connection options written in a model file: the `#options` object and the OAuth 2.0 entries
 * (`#tokenUri`, `#authUri`, `#scope`, ...). They are read before the connection's options are
 * final, as the lowest layer under the DSN and the connection string (options/load.ts), so each
 * is named here with its file:line:column for the option resolver's messages. The model layer
 * knows no option names: an unknown one is the resolver's error, with its suggestion.
 */
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import { RestSqlError } from '../errors/index.js';
import { MODEL_MAX_DEPTH, position, tooDeepAt } from './model-file.js';
import { modelKey } from './model-keys.js';

/** One option as written in the model file (the shape options/connection-string.ts calls RawOption). */
export interface ModelSetting {
  readonly key: string;
  readonly value: string;
  /** `api.rest:12:5`: where it is written, for messages. */
  readonly source: string;
}

function where(text: string, file: string, offset: number): { source: string; line: number; column: number } {
  const { line, column } = position(text, offset);
  return { source: `${file}:${line}:${column}`, line, column };
}

/**
 * The option settings of a model file's text. A file that is not valid JSON gives none here (the
 * model-file reader reports it, naming the place); a setting whose value is not a string, number
 * or boolean (or `{"default": ...}` of one) is an error naming its place.
 */
export function readModelSettings(source: string, file: string): ModelSetting[] {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  if (tooDeepAt(text, MODEL_MAX_DEPTH) !== undefined) return [];
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (!root || errors.length > 0 || root.type !== 'object') return [];
  const out: ModelSetting[] = [];
  const scalar = (node: Node, name: string): string => {
    // The vendor's generated files may write {"default": "OAuth2", "choices": "OAuth2,BearerToken"}.
    const value = node.type === 'object' ? node.children?.find((p) => p.children?.[0]?.value === 'default')?.children?.[1] : node;
    if (value && (value.type === 'string' || value.type === 'number' || value.type === 'boolean')) return String(value.value);
    const at = where(text, file, node.offset);
    throw new RestSqlError('MODEL_INVALID', `${at.source}: the model file's setting '${name}' must be a string, a number or a boolean.`, {
      hint: `Write "${name}": "value" (or {"default": "value"}); \${NAME} reads an environment variable.`,
      details: { file, line: at.line, column: at.column, option: name },
    });
  };
  for (const member of root.children ?? []) {
    const [keyNode, value] = member.children ?? [];
    if (!keyNode || !value) continue;
    const key = String(keyNode.value);
    const spec = modelKey('file', key);
    if (spec?.option && spec.behaviour === 'supported') {
      out.push({ key: spec.option, value: scalar(value, key), source: where(text, file, keyNode.offset).source });
    } else if (spec?.key === '#options') {
      if (value.type !== 'object') continue; // the model-file reader names this error
      for (const option of value.children ?? []) {
        const [nameNode, optionValue] = option.children ?? [];
        if (!nameNode || !optionValue) continue;
        const name = String(nameNode.value);
        out.push({ key: name, value: scalar(optionValue, name), source: where(text, file, nameNode.offset).source });
      }
    }
  }
  return out;
}
