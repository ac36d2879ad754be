/** What every authenticator works with: the person at the keyboard, where state lives, the transport and the clock. */
import type { SharedHttpClient } from '../http/contract.js';
import type { Logger } from '../util/logger.js';
import type { OpenBrowser } from './oauth/browser.js';
import type { TokenStore } from './token-store/file-store.js';

/** How a login reaches the person at the keyboard. */
export interface LoginUi {
  /** A message for the person (the CLI writes it to stderr). */
  notify(message: string): void;
  /** Opens the browser; absent when this process cannot show one (headless). */
  readonly openBrowser?: OpenBrowser;
  /** Lines the person pastes (headless: the redirected URL); absent when there is nowhere to paste. */
  readonly pastedLines?: () => AsyncIterable<string>;
  /** Use the device authorization grant (RFC 8628) instead of a redirect. */
  readonly device?: boolean;
  /** Whether a login may happen at all in this process. */
  readonly interactive: boolean;
}

export interface AuthContext {
  readonly stateDir: string;
  readonly ui: LoginUi;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly store?: TokenStore;
  /**
   * The connection's HTTP transport without an authenticator: the requests that obtain
   * credentials (token endpoint, discovery, custom authentication steps) go through it, never
   * through the authenticator they feed. Its owner closes it.
   */
  readonly transport: SharedHttpClient;
  /** The clock token expiry is judged by (ms since the epoch; default Date.now). */
  readonly now?: () => number;
}
