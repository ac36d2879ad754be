/**
 * Tool results as text: CSV (RFC 4180 quoting, LF line ends), header first. Compact for a model to
 * read and exact for a program; nested values (JSON columns, lists) as JSON, NULL as an empty field.
 */

function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `rows` as CSV with the header `columns`. */
export function csvText(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const lines = [columns.map(field).join(',')];
  for (const r of rows) lines.push(columns.map((c) => field(r[c])).join(','));
  return lines.join('\n') + '\n';
}
