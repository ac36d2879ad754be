/**
 * What a value looks like in the formats for people (table, expanded): one line of text, with
 * line breaks shown as `\n` and other control characters as `\x1b`, so data can neither break
 * the layout nor drive the terminal. On a terminal, the characters that reorder or hide text
 * (bidirectional overrides and isolates, as in "Trojan Source") are shown as `\u202e` too.
 */
import type { JsonValue, ResultColumn } from '../engine/values.js';
import { escapeControls } from '../util/terminal.js';

/** The text of a non-null value: strings as they are, nested values as JSON. Shared with CSV. */
export function valueText(v: JsonValue): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// Bidirectional embeddings, overrides, isolates and marks (U+200E-200F, U+202A-202E, U+2066-2069, U+061C).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of display text: `\n` for line breaks, escapes for control (and on a terminal, bidirectional) characters. */
export function displayText(s: string, terminal = false): string {
  const one = escapeControls(s.replace(/\r?\n/g, '\\n'));
  return terminal ? one.replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : one;
}

/** A cell's display text: `nullText` for NULL (an empty string stays empty), secrets masked by `redact` first. */
export function cellText(v: JsonValue | undefined, nullText: string, terminal = false, redact?: (text: string) => string): string {
  if (v === null || v === undefined) return nullText;
  const text = valueText(v);
  return displayText(redact ? redact(text) : text, terminal);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|DOUBLE|FLOAT|REAL|DECIMAL.*)$/;

/** Whether a column holds numbers (right-aligned in tables). */
export function isNumeric(column: ResultColumn): boolean {
  return NUMERIC.test(column.type);
}
