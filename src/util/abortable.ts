/**
 * Waiting for work that may be given up on: the promise, or the signal's reason as soon as the
 * signal aborts, whether or not the work itself listens to the signal.
 */

/**
 * `work`, or the signal's reason as soon as it aborts (undici, for one, acts on a signal only once
 * a request has a connection: a proxy that never answers CONNECT would otherwise hold a request
 * past any deadline). A result that arrives later is `discard`ed (by default: ignored; a failure is always caught).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void = () => undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      reject(signal.reason);
      work.then(discard, () => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        reject(e);
      },
    );
  });
}

