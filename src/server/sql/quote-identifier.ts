/**
 * PostgreSQL's reserved and type/function-name key words (PostgreSQL 15 sql-keywords-appendix):
 * a name spelled like one of them must be double-quoted to be read as a name.
 */
const KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric table then to trailing true union unique user using variadic when where ' +
    'window with authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull ' +
    'join left like natural notnull outer overlaps right similar tablesample verbose'
  ).split(' '),
);

/**
 * Quotes a name the way PostgreSQL's quote_identifier does: left bare when it is lower-case
 * letters, digits and underscores starting with a letter or underscore and not a key word;
 * otherwise in double quotes with inner quotes doubled. SET uses it to print the elements of
 * list settings such as search_path (`SET search_path = 'a, b'` shows `"a, b"`).
 */
export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}
