import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { RestSqlError } from '../../errors/index.js';
import { saslprepOrRaw } from './saslprep.js';

/** The one SASL mechanism restsql serve offers in AuthenticationSASL. */
export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

/**
 * What the server keeps instead of the password (RFC 5802 section 3, RFC 7677): enough to check
 * a client's proof and to prove itself, not enough to log in as a client.
 */
export interface ScramVerifier {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** The iteration count PostgreSQL 15 uses for SCRAM verifiers (made a setting, `scram_iterations`, in PostgreSQL 16). */
const DEFAULT_ITERATIONS = 4096;
const DEFAULT_SALT_BYTES = 16;
/** PostgreSQL's server nonce: 18 random bytes, base64 (24 printable characters). */
const NONCE_BYTES = 18;
const KEY_BYTES = 32;

const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802 section 3): SaltedPassword =
 * PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations), StoredKey = H(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). The password is SASLprep'd as
 * PostgreSQL does, falling back to its raw bytes when it is not valid for SASLprep.
 */
export function scramVerifier(password: string, opts: { salt?: Buffer; iterations?: number } = {}): ScramVerifier {
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  const salt = opts.salt ?? randomBytes(DEFAULT_SALT_BYTES);
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RestSqlError('INTERNAL', `The SCRAM iteration count must be a positive integer, not ${iterations}.`);
  }
  if (salt.length === 0) throw new RestSqlError('INTERNAL', 'The SCRAM salt must not be empty.');
  const salted = pbkdf2Sync(saslprepOrRaw(password), salt, iterations, KEY_BYTES, 'sha256');
  return {
    salt: Buffer.from(salt),
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/**
 * `printable` of RFC 5802 section 7: %x21-2B / %x2D-7E, printable ASCII but ",". A nonce is a
 * non-empty run of these.
 */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function malformed(message: string, hint = 'This is a client bug or an incompatible SCRAM client; the PostgreSQL 15 "SASL Authentication" section describes what restsql serve expects.'): RestSqlError {
  return new RestSqlError('SERVER_PROTOCOL', `Malformed SCRAM-SHA-256 message: ${message}`, { hint });
}

function decodeUtf8(data: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw malformed(`the ${what} is not valid UTF-8.`);
  }
}

/** Splits `k=v,k=v` (RFC 5802 section 7) into attribute/value pairs, keeping the order. */
function attributes(text: string, what: string): [string, string][] {
  return text.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw malformed(`the ${what} has "${part.slice(0, 20)}" where an attribute (a=value) belongs.`);
    return [part.charAt(0), part.slice(2)];
  });
}

type State = { readonly step: 'initial' } | { readonly step: 'started'; readonly gs2Header: string; readonly clientFirstBare: string; readonly serverFirst: string; readonly nonce: string } | { readonly step: 'done' };

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) as PostgreSQL runs it
 * (PostgreSQL 15 "SASL Authentication"), as a state machine without I/O: the session feeds it
 * SASLInitialResponse and SASLResponse data and sends back what it returns in
 * AuthenticationSASLContinue and AuthenticationSASLFinal.
 *
 * Channel binding is not offered (only SCRAM-SHA-256 is advertised, never -PLUS): the gs2 header
 * must be `n,,` (client does not support it) or `y,,` (client supports it but thinks the server
 * does not, which is true); `p=...` is refused. As in PostgreSQL, the user name in the
 * client-first-message is ignored (clients send `n=` or `n=*`: the user is the startup
 * message's), an authorization identity (`a=`) and mandatory extensions (`m=`) are refused.
 *
 * One instance serves one exchange: each step is accepted once and in order, so a replayed or
 * repeated message is refused.
 */
export class ScramServer {
  readonly #verifier: ScramVerifier;
  readonly #nonce: () => string;
  #state: State = { step: 'initial' };

  constructor(verifier: ScramVerifier, nonce: () => string = () => randomBytes(NONCE_BYTES).toString('base64')) {
    this.#verifier = verifier;
    this.#nonce = nonce;
  }

  /**
   * SASLInitialResponse's mechanism and data (the client-first-message) -> the
   * server-first-message (`r=<client nonce><server nonce>,s=<salt>,i=<iterations>`) to send in
   * AuthenticationSASLContinue. Throws SERVER_AUTH_UNSUPPORTED for another mechanism,
   * SERVER_PROTOCOL for a malformed message or one out of turn.
   */
  start(mechanism: string, clientFirst: Buffer): Buffer {
    if (this.#state.step !== 'initial') {
      this.#state = { step: 'done' };
      throw malformed('a second SASLInitialResponse in one authentication exchange.');
    }
    this.#state = { step: 'done' };
    if (mechanism !== SCRAM_MECHANISM) {
      throw new RestSqlError('SERVER_AUTH_UNSUPPORTED', `The client chose the SASL mechanism "${mechanism.slice(0, 40)}", but restsql serve offers only ${SCRAM_MECHANISM}.`, {
        hint: mechanism === `${SCRAM_MECHANISM}-PLUS` ? 'restsql serve does not offer channel binding; let the client use SCRAM-SHA-256 (libpq: channel_binding=prefer or disable).' : `Use a client that supports ${SCRAM_MECHANISM} (PostgreSQL 10 or later client libraries).`,
        details: { mechanism: mechanism.slice(0, 40) },
      });
    }
    const text = decodeUtf8(clientFirst, 'client-first-message');

    // gs2-header = gs2-cbind-flag "," [ authzid ] ","  (RFC 5802 section 7)
    const flagEnd = text.indexOf(',');
    const flag = flagEnd < 0 ? text : text.slice(0, flagEnd);
    if (flag.startsWith('p=')) {
      throw malformed('the client asks for channel binding (gs2 header "p=..."), but restsql serve offers only SCRAM-SHA-256 without it.', 'Let the client authenticate without channel binding (libpq: channel_binding=prefer or disable; pgjdbc: channelBinding=prefer or disable).');
    }
    if (flag !== 'n' && flag !== 'y') throw malformed('the client-first-message does not start with a gs2 header ("n,," or "y,,").');
    const authzEnd = text.indexOf(',', flagEnd + 1);
    if (authzEnd < 0) throw malformed('the gs2 header of the client-first-message is not terminated.');
    if (authzEnd !== flagEnd + 1) {
      throw malformed('the client sends an authorization identity ("a=..." in the gs2 header), which restsql serve, like PostgreSQL, does not support.');
    }
    const gs2Header = text.slice(0, authzEnd + 1);
    const clientFirstBare = text.slice(authzEnd + 1);

    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    const attrs = attributes(clientFirstBare, 'client-first-message');
    if (attrs[0]?.[0] === 'm') throw malformed('the client requires a SCRAM extension ("m=...") restsql serve does not support.');
    if (attrs[0]?.[0] !== 'n') throw malformed('the client-first-message has no user name attribute ("n=").');
    const clientNonce = attrs[1]?.[0] === 'r' ? attrs[1][1] : undefined;
    if (clientNonce === undefined) throw malformed('the client-first-message has no nonce attribute ("r=") after the user name.');
    if (!NONCE.test(clientNonce)) throw malformed('the client nonce is empty or has characters other than printable ASCII without ",".');

    const serverNonce = this.#nonce();
    if (!NONCE.test(serverNonce)) throw new RestSqlError('INTERNAL', 'The SCRAM server nonce must be printable ASCII without ",".');
    const nonce = clientNonce + serverNonce;
    const v = this.#verifier;
    const serverFirst = `r=${nonce},s=${v.salt.toString('base64')},i=${v.iterations}`;
    this.#state = { step: 'started', gs2Header, clientFirstBare, serverFirst, nonce };
    return Buffer.from(serverFirst, 'utf8');
  }

  /**
   * SASLResponse data (the client-final-message) -> the server-final-message (`v=<server
   * signature>`) to send in AuthenticationSASLFinal. Throws SERVER_LOGIN_FAILED when the proof
   * does not match (the password is wrong), SERVER_PROTOCOL when the message is malformed, out of
   * turn, or its nonce or channel binding is not this exchange's.
   */
  finish(clientFinal: Buffer): Buffer {
    const state = this.#state;
    this.#state = { step: 'done' };
    if (state.step !== 'started') {
      throw malformed(state.step === 'initial' ? 'a SASLResponse before the SASLInitialResponse.' : 'a SASLResponse after the authentication exchange ended (a replayed or repeated client-final-message).');
    }
    const text = decodeUtf8(clientFinal, 'client-final-message');

    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const attrs = attributes(text, 'client-final-message');
    const [binding, nonce] = attrs;
    const proof = attrs[attrs.length - 1];
    if (binding?.[0] !== 'c') throw malformed('the client-final-message does not start with the channel binding attribute ("c=").');
    if (nonce?.[0] !== 'r') throw malformed('the client-final-message has no nonce attribute ("r=") after the channel binding.');
    if (attrs.length < 3 || proof?.[0] !== 'p') throw malformed('the client-final-message does not end with the proof attribute ("p=").');

    // The channel binding must repeat the gs2 header of the client-first-message, with no
    // binding data since none is offered (RFC 5802 section 6).
    if (!BASE64.test(binding[1]) || Buffer.from(binding[1], 'base64').toString('latin1') !== state.gs2Header) {
      throw malformed('the channel binding ("c=") does not match the gs2 header of the client-first-message.', 'The client-final-message must belong to the client-first-message of the same exchange; a client that binds to the TLS channel needs SCRAM-SHA-256-PLUS, which restsql serve does not offer.');
    }
    if (nonce[1] !== state.nonce) {
      throw malformed('the nonce of the client-final-message is not the one of this exchange.', 'Each authentication exchange has its own nonce; a client-final-message from another exchange is refused.');
    }
    if (!BASE64.test(proof[1])) throw malformed('the proof ("p=") is not base64.');
    const clientProof = Buffer.from(proof[1], 'base64');
    if (clientProof.length !== KEY_BYTES) throw malformed(`the proof ("p=") is ${clientProof.length} bytes, not ${KEY_BYTES}.`);

    // AuthMessage = client-first-message-bare "," server-first-message "," client-final-message-without-proof
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`;
    const v = this.#verifier;
    const clientSignature = hmac(v.storedKey, authMessage);
    const clientKey = Buffer.alloc(KEY_BYTES);
    for (let i = 0; i < KEY_BYTES; i++) clientKey[i] = (clientProof[i] as number) ^ (clientSignature[i] as number);
    if (!timingSafeEqual(sha256(clientKey), v.storedKey)) {
      throw new RestSqlError('SERVER_LOGIN_FAILED', 'Password authentication failed: the SCRAM-SHA-256 proof does not match the password of restsql serve.', {
        hint: 'Connect with the password restsql serve printed when it started, or the one set in RESTSQL_SERVE_PASSWORD or --password-file.',
        details: { method: SCRAM_MECHANISM },
      });
    }
    return Buffer.from(`v=${hmac(v.serverKey, authMessage).toString('base64')}`, 'utf8');
  }
}
