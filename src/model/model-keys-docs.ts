/**
 * The generated reference of docs/model-file.md: every model-file key of the catalog
 * (model-keys.ts) with what restsql does with it, between the markers below. `npm run docs`
 * rewrites the block in place; the rest of the page is written by hand.
 */
import { ELEMENT_KEY_SYNTAX, MODEL_KEYS, type ModelKeyBehaviour, type ModelKeyPlace } from './model-keys.js';

export const BEGIN_MARKER = '<!-- generated:model-keys (from src/model/model-keys.ts by `npm run docs`; do not edit by hand) -->';
export const END_MARKER = '<!-- /generated:model-keys -->';

const PLACE: Record<ModelKeyPlace, string> = { file: 'file', table: 'table', column: 'column object', flag: 'type flag', rule: '#http rule' };
const BEHAVIOUR: Record<ModelKeyBehaviour, string> = { supported: 'supported', ignored: 'accepted without effect', refused: 'refused' };

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The generated block, markers included. */
export function modelKeysMarkdown(): string {
  const out = [BEGIN_MARKER, '', '### Every key', '', 'Names are case-insensitive. "Where" says where a key may be written.', ''];
  const groups = [...new Set(MODEL_KEYS.map((k) => k.group))];
  for (const group of groups) {
    out.push(`#### ${group}`, '', '| Key | Where | restsql | Description |', '|---|---|---|---|');
    for (const k of MODEL_KEYS.filter((x) => x.group === group)) {
      const names = [k.key, ...(k.aliases ?? [])].map((n) => `\`${n}\``).join(', ');
      const feeds = k.option ? ` Sets the connection option \`${k.option}\` (the DSN and the connection string win).` : '';
      const why = k.why ? ` ${k.why}` : '';
      out.push(`| ${names} | ${k.places.map((p) => PLACE[p]).join(', ')} | ${BEHAVIOUR[k.behaviour]} | ${cell(k.doc + feeds + why)} |`);
    }
    out.push('');
  }
  out.push('#### Member names', '', '| Syntax | Meaning |', '|---|---|');
  for (const s of ELEMENT_KEY_SYNTAX) out.push(`| \`${s.syntax}\` | ${cell(s.doc)} |`);
  out.push('', END_MARKER);
  return out.join('\n');
}

/** `page` with its generated block replaced by the current one (the markers must be there once each). */
export function withModelKeys(page: string): string {
  const begin = page.indexOf(BEGIN_MARKER);
  const end = page.indexOf(END_MARKER);
  if (begin < 0 || end < begin || page.indexOf(BEGIN_MARKER, begin + 1) >= 0) throw new Error('docs/model-file.md must hold the generated:model-keys markers once, in order');
  return page.slice(0, begin) + modelKeysMarkdown() + page.slice(end + END_MARKER.length);
}
