import { createHash } from 'node:crypto';
import { RestSqlError } from '../../errors/index.js';
import { constantTimeEqual } from '../../util/constant-time.js';

const md5hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');

const bytes = (v: string | Uint8Array): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

/**
 * What a client answers to AuthenticationMD5Password (PostgreSQL 15 protocol-flow, "MD5
 * password"): `"md5" + md5hex(md5hex(password + user) + salt)`, lowercase hex, with the 4-byte
 * salt the server sent. PostgreSQL 15 still offers the method for old clients; SCRAM-SHA-256 is
 * the one to prefer: md5(password + user) is a password equivalent, and a captured response
 * allows guessing the password offline.
 */
export function md5Response(password: string, user: string, salt: Uint8Array): string {
  if (salt.length !== 4) throw new RestSqlError('INTERNAL', `The md5 salt must be 4 bytes, not ${salt.length}.`);
  const inner = md5hex(Buffer.concat([bytes(password), bytes(user)]));
  return `md5${md5hex(Buffer.concat([Buffer.from(inner, 'latin1'), bytes(salt)]))}`;
}

/**
 * Whether a PasswordMessage answers AuthenticationMD5Password with `salt` for `user` and the
 * server's password. Compared in constant time (content and length).
 */
export function md5Check(password: string, user: string, salt: Uint8Array, response: string | Uint8Array): boolean {
  return constantTimeEqual(Buffer.from(md5Response(password, user, salt), 'latin1'), bytes(response));
}

/**
 * Whether a PasswordMessage answering AuthenticationCleartextPassword (PostgreSQL 15
 * protocol-flow) is the server's password, byte for byte. Compared in constant time (content
 * and length).
 */
export function cleartextCheck(password: string, response: string | Uint8Array): boolean {
  return constantTimeEqual(bytes(password), bytes(response));
}
