/**
 * The member names of a model file (element keys): a JSON field name followed by optional
 * suffixes, read from the right so that the field name itself may hold any character (spaces,
 * dots, parentheses: `"Time Series (5min){Timestamp(0)}"`, `"2. Symbol"`).
 *
 * ```
 * field                      a column (or a nested object, or a table)
 * field<sql_name>            the same under another SQL name
 * field[]  field<name>[]     an array: a child table
 * field[N] field<name>[N]    an array whose first N elements are columns of the parent (field_1..., field_N...)
 * field{KeyType}             a map (an object whose member names are data): a child table with a key column
 * field<key_name:KeyType>    a map with a named key column
 * ```
 *
 * KeyType is a type name, optionally with a size or precision: `Date`, `Timestamp(0)`, `Decimal(10,2)`.
 */

/** Why an element key cannot be read; the message is a sentence without a final period. */
export class ElementKeySyntaxError extends Error {}

export type ElementKeyShape =
  | { readonly kind: 'plain' }
  | { readonly kind: 'array' }
  | { readonly kind: 'positions'; readonly count: number }
  | { readonly kind: 'map'; readonly keyName?: string; readonly keyType: string };

export interface ElementKey {
  /** The JSON member name as the API writes it. */
  readonly field: string;
  /** `<sql_name>`: the SQL name of the column, child table or table. */
  readonly sqlName?: string;
  readonly shape: ElementKeyShape;
}

/** The most positions a `field[N]` may flatten: each is a set of columns of the parent table. */
export const MAX_POSITIONS = 1000;

/** A key type as written in `{...}` or after `key_name:`: a name and an optional `(size[,scale])`. */
const KEY_TYPE = /^\s*[A-Za-z]+\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?\s*$/;

/**
 * Splits an element key into its field name and suffixes. Throws ElementKeySyntaxError for a
 * suffix that is malformed (an unclosed bracket, `[x]`, `{}`, an empty field name).
 */
export function parseElementKey(raw: string): ElementKey {
  let rest = raw;
  let shape: ElementKeyShape = { kind: 'plain' };
  if (rest.endsWith(']')) {
    const open = rest.lastIndexOf('[');
    if (open < 0) throw new ElementKeySyntaxError(`'${raw}' ends with ']' but has no '['`);
    const inner = rest.slice(open + 1, -1).trim();
    if (inner === '') shape = { kind: 'array' };
    else if (/^\d+$/.test(inner)) {
      const count = Number(inner);
      if (count < 1 || count > MAX_POSITIONS) throw new ElementKeySyntaxError(`'${raw}' asks for ${count} array positions; write 1 to ${MAX_POSITIONS}, or [] for a child table`);
      shape = { kind: 'positions', count };
    } else throw new ElementKeySyntaxError(`'${raw}' has '[${inner}]'; write [] for a child table or [N] (a number) for the first N elements as columns`);
    rest = rest.slice(0, open);
  } else if (rest.endsWith('}')) {
    const open = rest.lastIndexOf('{');
    if (open < 0) throw new ElementKeySyntaxError(`'${raw}' ends with '}' but has no '{'`);
    const inner = rest.slice(open + 1, -1);
    if (!KEY_TYPE.test(inner)) throw new ElementKeySyntaxError(`'${raw}' has '{${inner}}', which is not a key type such as {VarChar}, {Date} or {Timestamp(0)}`);
    shape = { kind: 'map', keyType: inner.trim() };
    rest = rest.slice(0, open);
  }
  let sqlName: string | undefined;
  if (rest.endsWith('>')) {
    const open = rest.lastIndexOf('<');
    if (open < 0) throw new ElementKeySyntaxError(`'${raw}' ends with '>' but has no '<'`);
    const inner = rest.slice(open + 1, -1);
    const colon = inner.indexOf(':');
    if (colon >= 0 && shape.kind === 'plain') {
      // field<key_name:KeyType>: a map with a named key column.
      const keyName = inner.slice(0, colon).trim();
      const keyType = inner.slice(colon + 1);
      if (keyName === '' || !KEY_TYPE.test(keyType)) throw new ElementKeySyntaxError(`'${raw}' has '<${inner}>'; a map with a named key is written field<key_name:KeyType>, for example rates<currency:VarChar>`);
      shape = { kind: 'map', keyName, keyType: keyType.trim() };
    } else {
      if (inner.trim() === '') throw new ElementKeySyntaxError(`'${raw}' has an empty '<>'; write the SQL name inside it or leave the brackets out`);
      if (shape.kind === 'map') throw new ElementKeySyntaxError(`'${raw}' renames a map: a map's table is named by the naming rules, and its '<>' names the key column (field<key_name:KeyType>)`);
      if (colon >= 0) throw new ElementKeySyntaxError(`'${raw}' has '<${inner}>' with a ':' before '['; a SQL name holds no ':'`);
      sqlName = inner.trim();
    }
    rest = rest.slice(0, open);
  }
  if (rest === '') throw new ElementKeySyntaxError(`'${raw}' has no field name before its ${sqlName !== undefined || shape.kind === 'map' ? "'<' or '{'" : "'['"}`);
  return { field: rest, ...(sqlName !== undefined ? { sqlName } : {}), shape };
}

/** The element key text for a field, the inverse of parseElementKey for the shapes the writer uses. */
export function formatElementKey(key: ElementKey): string {
  const name = key.sqlName !== undefined ? `<${key.sqlName}>` : '';
  switch (key.shape.kind) {
    case 'plain':
      return `${key.field}${name}`;
    case 'array':
      return `${key.field}${name}[]`;
    case 'positions':
      return `${key.field}${name}[${key.shape.count}]`;
    case 'map':
      return key.shape.keyName !== undefined ? `${key.field}<${key.shape.keyName}:${key.shape.keyType}>` : `${key.field}{${key.shape.keyType}}`;
    default: {
      const never: never = key.shape;
      throw new Error(`unhandled element key shape ${String(never)}`);
    }
  }
}
