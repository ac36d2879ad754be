/**
 * Per-host admission for requests (the HostConcurrency option): at most `limit` requests in
 * flight to one origin, whoever sends them (several tables, several pages). When the API says it
 * is overloaded (429 Too Many Requests, RFC 6585 §4; 503 with Retry-After, RFC 9110 §10.2.3) the
 * gate slows down instead of letting requests fail: it halves the origin's limit and holds every
 * request to it until the Retry-After time; each run of `limit` successes then raises the limit
 * by one again, up to the maximum (additive increase, multiplicative decrease, as TCP does).
 * Refusals of requests sent before the last slow-down belong to that same event (as TCP counts
 * the losses of one window once): they are retried without halving again.
 */
import { setTimeout as sleep } from 'node:timers/promises';

interface HostState {
  limit: number;
  active: number;
  /** Requests waiting for a slot, in arrival order; called with the generation they are let in under. */
  readonly queue: ((generation: number) => void)[];
  /** No request starts before this time (ms since the epoch). */
  pausedUntil: number;
  successes: number;
  /** Slow-downs so far. */
  generation: number;
}

/** A slot for one request. */
export interface GateTicket {
  readonly origin: string;
  /** The origin's slow-down count when the request was let through. */
  readonly generation: number;
  /** Requests in flight to the origin when it was let through, itself included. */
  readonly concurrent: number;
  release(): void;
}

export interface HostGate {
  /** Waits for a slot (and for any pause) for `origin`; release the ticket when done. */
  acquire(origin: string, signal?: AbortSignal): Promise<GateTicket>;
  /**
   * The request of `ticket` was refused for load: halve the origin's limit (unless the request
   * predates the last slow-down) and pause it for `waitMs`. Returns the limit and whether the
   * gate absorbed it: the request went out beside others (or under an older limit), so sending
   * less at once is the fix and the try is not to be counted as failed.
   */
  slowDown(ticket: GateTicket, waitMs: number): { limit: number; absorbed: boolean };
  /** Whether a slow-down for `ticket` now would be absorbed (what `slowDown` would answer), without slowing down. */
  absorbs(ticket: GateTicket): boolean;
  /** A request to `origin` succeeded. */
  succeeded(origin: string): void;
  /** The current limit for `origin` (for tests and progress). */
  limitOf(origin: string): number;
}

export function createHostGate(max: number, now: () => number = Date.now): HostGate {
  const hosts = new Map<string, HostState>();
  const stateOf = (origin: string): HostState => {
    let s = hosts.get(origin);
    if (!s) hosts.set(origin, (s = { limit: max, active: 0, queue: [], pausedUntil: 0, successes: 0, generation: 0 }));
    return s;
  };
  const wake = (s: HostState) => {
    while (s.queue.length > 0 && s.active < s.limit) {
      // The slot is taken on the waiter's behalf.
      const next = s.queue.shift()!;
      s.active++;
      next(s.generation);
    }
  };
  return {
    async acquire(origin, signal) {
      const s = stateOf(origin);
      // The generation is the one the slot was granted under, not the one after any pause.
      let generation = s.generation;
      if (s.active < s.limit && s.queue.length === 0) s.active++;
      else {
        generation = await new Promise<number>((resolve, reject) => {
          const onAbort = () => {
            // Still waiting (a granted slot has left the queue): leave the queue and give up.
            const i = s.queue.indexOf(waiter);
            if (i >= 0) s.queue.splice(i, 1);
            reject(signal!.reason);
          };
          const waiter = (g: number) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(g);
          };
          if (signal?.aborted) return reject(signal.reason);
          s.queue.push(waiter);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
      // Holding a slot: honour a pause before sending (it may have been set while waiting).
      for (let wait = s.pausedUntil - now(); wait > 0; wait = s.pausedUntil - now()) {
        try {
          await sleep(wait, undefined, signal ? { signal } : undefined);
        } catch (e) {
          s.active--;
          wake(s);
          throw e;
        }
      }
      let released = false;
      return {
        origin,
        generation,
        concurrent: s.active,
        release() {
          if (released) return;
          released = true;
          s.active--;
          wake(s);
        },
      };
    },
    absorbs(ticket) {
      return ticket.generation < stateOf(ticket.origin).generation || ticket.concurrent > 1;
    },
    slowDown(ticket, waitMs) {
      const s = stateOf(ticket.origin);
      s.pausedUntil = Math.max(s.pausedUntil, now() + Math.max(0, waitMs));
      if (ticket.generation < s.generation) return { limit: s.limit, absorbed: true };
      const absorbed = ticket.concurrent > 1;
      s.limit = Math.max(1, Math.floor(s.limit / 2));
      s.successes = 0;
      s.generation++;
      return { limit: s.limit, absorbed };
    },
    succeeded(origin) {
      const s = stateOf(origin);
      if (s.limit >= max) return;
      if (++s.successes >= s.limit) {
        s.limit++;
        s.successes = 0;
        wake(s);
      }
    },
    limitOf(origin) {
      return stateOf(origin).limit;
    },
  };
}
