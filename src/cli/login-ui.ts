import { escapeMessage } from '../util/terminal.js';
import type { ConnectOptions } from '../engine/connection.js';
import { lazyRequire } from '../util/lazy-require.js';

/** node:readline, loaded when a login reads a pasted URL. */
const readline = lazyRequire<typeof import('node:readline')>('node:readline');

/** How the person at the terminal takes part in a login (flags shared by every connecting command). */
export interface LoginFlags {
  /** `--no-browser` sets this false: print the URL and wait for the callback or a pasted URL. */
  browser?: boolean;
  /** `--device`: RFC 8628 device authorization grant. */
  device?: boolean;
}

export interface LoginIo {
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; pause?: () => unknown };
}

/**
 * Lines typed or pasted on standard input, read only while a login waits for them. Closing the
 * iterator (the login ended either way) stops reading, so the process can exit.
 */
function stdinLines(stdin: LoginIo['stdin']): () => AsyncIterable<string> {
  return () => ({
    [Symbol.asyncIterator](): AsyncIterator<string> {
      const rl = readline().createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
      const it = rl[Symbol.asyncIterator]();
      return {
        next: () => it.next(),
        return: async () => {
          rl.close();
          stdin.pause?.();
          return { done: true, value: undefined };
        },
      };
    },
  });
}

/**
 * The login side of ConnectOptions for the CLI: messages on stderr (stdout stays the result), the
 * browser unless --no-browser (connect() falls back to headless when there is no display), and
 * stdin for a pasted redirect URL unless the SQL itself came from stdin.
 */
export function cliLoginOptions(flags: LoginFlags, io: LoginIo, stdinFree: boolean): Partial<ConnectOptions> {
  return {
    // Text from the authorization server (a device code's verification URI, say) reaches a terminal.
    notify: (m) => void io.stderr.write(`restsql: ${escapeMessage(m)}\n`),
    ...(flags.browser === false ? { headless: true } : {}),
    ...(flags.device ? { device: true } : {}),
    ...(stdinFree ? { pastedLines: stdinLines(io.stdin) } : {}),
  };
}
