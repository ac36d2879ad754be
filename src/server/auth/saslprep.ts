import { inTable, L_CAT, MAPPED_TO_NOTHING, NON_ASCII_SPACE, PROHIBITED_OUTPUT, RAND_AL_CAT, UNASSIGNED } from './stringprep-tables.js';

/**
 * SASLprep (RFC 4013, the "stringprep" profile of RFC 3454) of a password, the way PostgreSQL
 * prepares one before SCRAM-SHA-256 derives keys from it (PostgreSQL 15 "SASL Authentication":
 * the password is normalized with SASLprep; if it is not a valid SASLprep string, the raw bytes
 * are used instead). libpq does the same on the client side, so a password typed on any client
 * derives the same keys as long as both sides agree on these steps:
 *
 * 1. A pure-ASCII string is returned unchanged, without the checks below (PostgreSQL's fast path;
 *    an ASCII control character, prohibited by RFC 4013, is therefore kept rather than refused,
 *    which for key derivation is the same as falling back to the raw bytes).
 * 2. Map (RFC 4013 section 2.1): non-ASCII spaces (C.1.2) become U+0020, characters commonly
 *    mapped to nothing (B.1) are removed. A string left empty is refused.
 * 3. Normalize with NFKC (section 2.2), with the running Unicode version, as PostgreSQL does with
 *    its own.
 * 4. Prohibit (section 2.3) the output tables C.1.2 through C.9 and, the string being stored,
 *    the code points unassigned in Unicode 3.2 (A.1, section 2.5).
 * 5. Bidi (section 2.4, RFC 3454 section 6): a string with a RandALCat character has no LCat
 *    character, and starts and ends with a RandALCat character.
 *
 * Steps 4 and 5 look at the mapped string before normalization, as PostgreSQL's implementation
 * does; keys must match PostgreSQL's and libpq's, not a stricter reading of the RFC.
 *
 * Returns the prepared string, or `undefined` when the input is not valid for SASLprep (a lone
 * UTF-16 surrogate, which has no UTF-8 form, counts as invalid UTF-8): callers then use the raw
 * password, see `saslprepOrRaw`.
 */
export function saslprep(input: string): string | undefined {
  if (/^[\x00-\x7f]*$/.test(input)) return input;

  const mapped: number[] = [];
  for (const ch of input) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0xd800 && code <= 0xdfff) return undefined; // a lone surrogate: not UTF-8
    if (inTable(NON_ASCII_SPACE, code)) mapped.push(0x20);
    else if (!inTable(MAPPED_TO_NOTHING, code)) mapped.push(code);
  }
  if (mapped.length === 0) return undefined;

  for (const code of mapped) {
    if (inTable(PROHIBITED_OUTPUT, code) || inTable(UNASSIGNED, code)) return undefined;
  }

  if (mapped.some((code) => inTable(RAND_AL_CAT, code))) {
    if (mapped.some((code) => inTable(L_CAT, code))) return undefined;
    if (!inTable(RAND_AL_CAT, mapped[0] as number) || !inTable(RAND_AL_CAT, mapped[mapped.length - 1] as number)) return undefined;
  }

  return mapped.map((code) => String.fromCodePoint(code)).join('').normalize('NFKC');
}

/**
 * The bytes a SCRAM key is derived from: the SASLprep form of the password in UTF-8, or the
 * password's own UTF-8 bytes when it is not valid for SASLprep (PostgreSQL 15 "SASL
 * Authentication").
 */
export function saslprepOrRaw(password: string): Buffer {
  return Buffer.from(saslprep(password) ?? password, 'utf8');
}
