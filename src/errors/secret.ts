import { inspect } from 'node:util';

const MASK = '***';

/** Every secret value ever wrapped, so the redactor can scrub it from any text (error messages, logs). */
const knownSecrets = new Set<string>();

/**
 * A secret value (password, client secret, token). `toString`, `toJSON` and `util.inspect` print
 * `***`; only `reveal()` gives the value, and only code that sends it over the wire should call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    // Very short values would make the text scrubber mask ordinary words; they are still masked
    // wherever they are printed as a Secret.
    if (value.length >= 4) knownSecrets.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

/** Replaces every occurrence of a known secret value in `text` with `***`. */
export function scrubKnownSecrets(text: string): string {
  let out = text;
  for (const value of knownSecrets) {
    if (out.includes(value)) out = out.split(value).join(MASK);
    const encoded = encodeURIComponent(value);
    if (encoded !== value && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  return out;
}

export { MASK as SECRET_MASK };
