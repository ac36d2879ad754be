/**
 * Waiting for an event with a deadline: the test fails with `what` when the event does not come
 * in time, rather than hanging until the runner's own timeout. The deadline is generous (a loaded
 * machine is slow); the wait ends as soon as the event comes, so it costs nothing when all is well.
 */
export async function within<T>(ms: number, what: string | (() => string), event: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${typeof what === 'function' ? what() : what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolve function, for a server handler to announce that something happened. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
