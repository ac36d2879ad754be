import { fractionText } from './datetime-text.js';

/**
 * An INTERVAL (months, days, microseconds, kept apart as both DuckDB and PostgreSQL keep them)
 * in IntervalStyle 'postgres' (PostgreSQL 15 datatype-datetime, 8.5.5 Interval Output; the
 * AddPostgresIntPart/EncodeInterval logic): `1 year 2 mons 3 days 04:05:06.5`, `-00:00:01`,
 * `00:00:00` for zero. A positive field right after a negative one gets a `+`
 * (`-1 years +2 mons`), as PostgreSQL writes it.
 */
export function intervalText(months: number, days: number, micros: bigint): string {
  const year = Math.trunc(months / 12);
  const mon = months % 12;
  let out = '';
  let isBefore = false;
  const part = (value: number, unit: string): void => {
    if (value === 0) return;
    out += `${out === '' ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value === 1 ? '' : 's'}`;
    isBefore = value < 0;
  };
  part(year, 'year');
  part(mon, 'mon');
  part(days, 'day');
  if (out === '' || micros !== 0n) {
    const minus = micros < 0n;
    const abs = minus ? -micros : micros;
    const hours = abs / 3600000000n;
    const rest = Number(abs - hours * 3600000000n);
    const min = Math.floor(rest / 60000000);
    const sec = Math.floor(rest / 1000000) % 60;
    const h = String(hours);
    out += `${out === '' ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${h.length < 2 ? `0${h}` : h}:${min < 10 ? '0' : ''}${min}:${sec < 10 ? '0' : ''}${sec}${fractionText(rest % 1000000)}`;
  }
  return out;
}
