/**
 * How many terminal columns text takes, and cutting text to a number of columns, for the table
 * and expanded formats. Widths come from the `string-width` package (East Asian wide and
 * full-width characters count 2, combining marks 0, an emoji sequence 2), loaded at the first text
 * that is not plain printable ASCII: plain ASCII is measured by its length, so a query whose
 * output is ASCII never pays string-width's ~35-45 ms of loading.
 *
 * string-width is an ES module and the formatters are synchronous. Node 20.19+ and 22.12+ load an
 * ES module with require() (`process.features.require_module`), so the first wide cell loads it
 * there and then; on an older Node, `loadDisplayWidth()` (which `openFormatter` awaits for the
 * table formats) imports it beforehand.
 */
import { createRequire } from 'node:module';
import { RestSqlError } from '../errors/index.js';

type WidthFn = (text: string) => number;

let stringWidth: WidthFn | undefined;

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Imports string-width, unless done; needed before measuring non-ASCII text on a Node that cannot require() an ES module. */
export async function loadDisplayWidth(): Promise<void> {
  stringWidth ??= ((await import('string-width')) as { default: WidthFn }).default;
}

/** Whether text needs string-width to be measured (anything but printable ASCII). */
export function needsDisplayWidth(text: string): boolean {
  return !PLAIN_ASCII.test(text);
}

function loadedWidth(): WidthFn {
  if (stringWidth) return stringWidth;
  if (!(process.features as { require_module?: boolean }).require_module) {
    throw new RestSqlError('INTERNAL', 'The table format measured text before string-width was loaded, on a Node that cannot require() an ES module.', {
      hint: 'Create the formatter with openFormatter() (or await loadDisplayWidth() first), or run Node 20.19 or later.',
    });
  }
  stringWidth = (createRequire(import.meta.url)('string-width') as { default: WidthFn }).default;
  return stringWidth;
}

/** Terminal columns of one line of text (no control characters: the cells escape them first). */
export function displayWidth(text: string): number {
  return PLAIN_ASCII.test(text) ? text.length : loadedWidth()(text);
}

let graphemes: Intl.Segmenter | undefined;

/**
 * `text` cut to at most `width` columns, ending in '…' when anything was cut. Cuts fall between
 * grapheme clusters (Intl.Segmenter), so a surrogate pair, a base and its combining marks, or an
 * emoji sequence is kept whole or dropped whole.
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  const room = width - 1; // the ellipsis takes one column
  if (!needsDisplayWidth(text)) return text.slice(0, room) + '…';
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out + '…';
}

/** `text` padded with spaces to `width` columns, on the right (left-aligned) or on the left. */
export function padToWidth(text: string, width: number, align: 'left' | 'right'): string {
  const pad = width - displayWidth(text);
  if (pad <= 0) return text;
  return align === 'left' ? text + ' '.repeat(pad) : ' '.repeat(pad) + text;
}
