/**
 * The password exchange of a session's startup (PostgreSQL 15 "Message Flow", "Start-up"):
 * SCRAM-SHA-256 by default (RFC 5802, RFC 7677), md5 or cleartext only when the server was started
 * asking for them. Any user name is accepted: the one password decides. Checks are constant-time,
 * and the password is never logged or echoed.
 */
import { randomBytes } from 'node:crypto';
import { RestSqlError } from '../errors/index.js';
import { md5Check, cleartextCheck } from './auth/md5.js';
import { ScramServer, scramVerifier, type ScramVerifier } from './auth/scram.js';
import * as be from './protocol/backend.js';
import { readPasswordMessage, readSaslInitial } from './protocol/frontend.js';

export type PasswordMethod = 'scram-sha-256' | 'md5' | 'password';

export const PASSWORD_METHODS: readonly PasswordMethod[] = ['scram-sha-256', 'md5', 'password'];

/** Sends an authentication request and reads the client's answer (a password message's body). */
export interface AuthExchange {
  send(message: Buffer): Promise<void>;
  receive(): Promise<Buffer>;
}

export type AuthOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class PasswordGate {
  readonly #password: string;
  readonly #verifier: ScramVerifier | undefined;

  constructor(
    password: string,
    readonly method: PasswordMethod = 'scram-sha-256',
  ) {
    if (password === '') throw new RestSqlError('CONFIG_INVALID_VALUE', 'restsql serve needs a password; an empty one is refused.', { hint: 'Set RESTSQL_SERVE_PASSWORD or --password-file, or let restsql serve generate one.' });
    this.#password = password;
    // The verifier is computed once: PBKDF2 costs each login nothing more than the client's proof check.
    this.#verifier = method === 'scram-sha-256' ? scramVerifier(password) : undefined;
  }

  /** Runs the exchange for `user`. A wrong password is an outcome; a broken exchange throws SERVER_PROTOCOL. */
  async authenticate(user: string, io: AuthExchange): Promise<AuthOutcome> {
    switch (this.method) {
      case 'scram-sha-256': {
        const server = new ScramServer(this.#verifier!);
        await io.send(be.authenticationSASL(['SCRAM-SHA-256']));
        const initial = readSaslInitial(await io.receive());
        const serverFirst = server.start(initial.mechanism, initial.data);
        await io.send(be.authenticationSASLContinue(serverFirst));
        let serverFinal: Buffer;
        try {
          serverFinal = server.finish(await io.receive());
        } catch (e) {
          if (e instanceof RestSqlError && e.code === 'SERVER_LOGIN_FAILED') return { ok: false, reason: 'wrong password (SCRAM-SHA-256)' };
          throw e;
        }
        await io.send(be.authenticationSASLFinal(serverFinal));
        return { ok: true };
      }
      case 'md5': {
        const salt = randomBytes(4);
        await io.send(be.authenticationMD5Password(salt));
        const answer = readPasswordMessage(await io.receive());
        return md5Check(this.#password, user, salt, answer) ? { ok: true } : { ok: false, reason: 'wrong password (md5)' };
      }
      case 'password': {
        await io.send(be.authenticationCleartextPassword());
        const answer = readPasswordMessage(await io.receive());
        return cleartextCheck(this.#password, answer) ? { ok: true } : { ok: false, reason: 'wrong password (cleartext)' };
      }
    }
  }
}
