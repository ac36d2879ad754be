/**
 * Text from APIs and error pages shown on a terminal: C0 and C1 control characters (and DEL)
 * are written as escapes (`\x1b`), so data cannot move the cursor, retitle the window
 * (`ESC ]0;...BEL`) or hide what came before. Output meant for programs (csv, json, ndjson)
 * keeps the data exact and does not use this.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

const escape = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Every control character escaped: for one-line cells. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** Control characters escaped except line feeds and tabs: for messages of several lines. */
export function escapeMessage(s: string): string {
  return s.replace(CONTROLS, (c) => (c === '\n' || c === '\t' ? c : escape(c)));
}
