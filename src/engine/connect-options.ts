/** What a caller passes to connect() besides the options: the login UI, state, logging, progress. */
import type { AuthContext } from '../auth/context.js';
import type { SharedHttpClient } from '../http/contract.js';
import { canOpenBrowser, systemBrowser, type OpenBrowser } from '../auth/oauth/browser.js';
import type { TokenStore } from '../auth/token-store/file-store.js';
import type { ScanProgress } from '../scan/scan.js';
import type { Logger } from '../util/logger.js';
import { stateDir } from '../util/state-dir.js';

export interface ConnectOptions {
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Environment for `${NAME}` references, $BROWSER, $DISPLAY and $RESTSQL_HOME (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Opens the login URL (default: $BROWSER or the platform opener; none when headless). */
  readonly openBrowser?: OpenBrowser;
  /** Never open a browser: print the login URL and wait for the callback or a pasted URL (CLI --no-browser). */
  readonly headless?: boolean;
  /** Whether a login may happen (default true). False: a missing or dead token is an error. */
  readonly interactive?: boolean;
  /** Log in with the device authorization grant (RFC 8628) instead of a browser redirect. */
  readonly device?: boolean;
  /** Lines a person pastes (headless login: the redirected URL). */
  readonly pastedLines?: () => AsyncIterable<string>;
  /** Where tokens and certificates are kept (default $RESTSQL_HOME or ~/.config/restsql). */
  readonly stateDir?: string;
  /** Messages for the person logging in (default: the logger's info). */
  readonly notify?: (message: string) => void;
  /** Token cache (default: files under stateDir). */
  readonly tokenStore?: TokenStore;
  /** Called after each page a query fetches (the CLI draws a progress line from it). */
  readonly onProgress?: (p: ScanProgress) => void;
}

/** The login UI, state and transport (an HTTP client without the authenticator) a connection's authenticator works with. */
export function authContext(opts: ConnectOptions, logger: Logger, transport: SharedHttpClient): AuthContext {
  const env = opts.env ?? process.env;
  const openBrowser = opts.headless ? undefined : (opts.openBrowser ?? (canOpenBrowser(env) ? systemBrowser(env) : undefined));
  return {
    stateDir: opts.stateDir ?? stateDir(env),
    logger,
    transport,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.tokenStore ? { store: opts.tokenStore } : {}),
    ui: {
      notify: opts.notify ?? ((m) => logger.info(m)),
      interactive: opts.interactive ?? true,
      ...(openBrowser ? { openBrowser } : {}),
      ...(opts.pastedLines ? { pastedLines: opts.pastedLines } : {}),
      ...(opts.device ? { device: true } : {}),
    },
  };
}
