/**
 * The white space PostgreSQL's input functions skip around a value (C isspace in the C locale:
 * space, \t, \n, \v, \f, \r), narrower than JS's `trim`, which also drops e.g. U+00A0.
 */
const EDGES = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

export function trimPgSpace(text: string): string {
  return text.replace(EDGES, '');
}

export function isPgSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
