/** A Clock (src/mcp/limits.ts) whose timers run only when the test says so: deadlines with no real wait. */
import type { Clock } from '../../src/mcp/limits.js';

export interface HandClock extends Clock {
  /** Runs every timer set now (and forgets them). */
  fire(): void;
  /** Timers set and neither run nor cleared. */
  pending(): number;
  /** The delays (ms) of the pending timers, in the order they were set. */
  delays(): number[];
}

export function handClock(): HandClock {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  return {
    setTimeout: (fn, ms) => {
      timers.set(++next, { fn, ms });
      return next;
    },
    clearTimeout: (h) => void timers.delete(h as number),
    fire() {
      const due = [...timers.values()];
      timers.clear();
      for (const t of due) t.fn();
    },
    pending: () => timers.size,
    delays: () => [...timers.values()].map((t) => t.ms),
  };
}
