import { inspect } from 'node:util';

const MASK = '***';

/**
 * A secret value (password, client secret, token). `toString`, `toJSON` and `util.inspect` print
 * `***`; only `reveal()` gives the value, and only code that sends it over the wire should call it.
 * There is no process-wide list of secret values: each connection's `Redactor` knows its own.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
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

export { MASK as SECRET_MASK };
