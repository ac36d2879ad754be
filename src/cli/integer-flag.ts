import { RestSqlError } from '../errors/index.js';

/**
 * A flag's whole-number value within [min, max], or USAGE naming the flag with an example
 * (`typical`, brought within the range).
 */
export function integerFlag(flag: string, text: string, min: number, max: number, typical: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new RestSqlError('USAGE', `${flag} must be a whole number from ${min} to ${max}; got '${text}'.`, { hint: `For example ${flag} ${Math.max(min, Math.min(max, typical))}.`, details: { option: flag } });
  }
  return n;
}
