/**
 * A cursor over the body of one frontend message (the bytes after its type byte and length), as
 * PostgreSQL's pq_getmsg* functions read it: every read checks that the bytes are there, strings
 * must carry their terminating NUL and be valid UTF-8, and `end()` refuses bytes left over after
 * the last field (PostgreSQL 15 protocol-message-formats; "insufficient data left in message" and
 * "invalid message format" in PostgreSQL's own words).
 */
import { isUtf8 } from 'node:buffer';
import { RestSqlError } from '../../errors/index.js';

/**
 * Whether a protocol error leaves the connection usable. `fatal: true` when the byte stream can no
 * longer be cut into messages (a bad length, an unknown type byte, a broken startup packet) or the
 * error came during authentication: the server sends a FATAL ErrorResponse and closes. `fatal:
 * false` when one message was consumed whole but its body was malformed: the stream is still in
 * step, so the session answers with an ERROR and carries on (skipping to Sync in the extended query
 * protocol), as PostgreSQL does.
 */
export function protocolError(message: string, fatal: boolean, details: Readonly<Record<string, unknown>> = {}, hint?: string): RestSqlError {
  return new RestSqlError('SERVER_PROTOCOL', message, {
    details: { ...details, fatal },
    hint: hint ?? 'The client sent bytes that are not a valid PostgreSQL 3.0 protocol message; use a PostgreSQL client or driver, or report this if yours is one.',
  });
}

/** Whether an error thrown by the wire codec means the connection must be closed (see {@link protocolError}). */
export function isFatalProtocolError(e: unknown): boolean {
  return e instanceof RestSqlError && e.code === 'SERVER_PROTOCOL' && e.details['fatal'] === true;
}

export class BodyReader {
  private pos = 0;

  /**
   * @param body the message body (a view of the receive buffer; values read as bytes are views of it too)
   * @param message the message's name in errors ("Bind", "startup packet")
   * @param fatal whether an error in this body must close the connection (see {@link protocolError})
   */
  constructor(
    private readonly body: Buffer,
    private readonly message: string,
    private readonly fatal: boolean,
  ) {}

  get remaining(): number {
    return this.body.length - this.pos;
  }

  fail(problem: string): RestSqlError {
    return protocolError(`The ${this.message} message ${problem}.`, this.fatal, { message: this.message });
  }

  private need(bytes: number, what: string): void {
    if (this.remaining < bytes) throw this.fail(`ended before its ${what} (needs ${bytes} bytes, ${this.remaining} left)`);
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(what: string): string {
    const nul = this.body.indexOf(0, this.pos);
    if (nul < 0) throw this.fail(`has no NUL byte ending its ${what}`);
    const bytes = this.body.subarray(this.pos, nul);
    if (!isUtf8(bytes)) throw this.fail(`has a ${what} that is not valid UTF-8 (restsql serve speaks client_encoding UTF8)`);
    this.pos = nul + 1;
    return bytes.toString('utf8');
  }

  byte(what: string): number {
    this.need(1, what);
    return this.body[this.pos++] as number;
  }

  int16(what: string): number {
    this.need(2, what);
    const v = this.body.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** An Int16 count, read unsigned as PostgreSQL's pq_getmsgint(msg, 2) does (0..65535). */
  count16(what: string): number {
    this.need(2, what);
    const v = this.body.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(what: string): number {
    this.need(4, what);
    const v = this.body.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An Int32 read unsigned, as PostgreSQL reads OIDs and Execute's row limit. */
  uint32(what: string): number {
    this.need(4, what);
    const v = this.body.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** `n` raw bytes, as a view (no copy). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.body.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    const v = this.body.subarray(this.pos);
    this.pos = this.body.length;
    return v;
  }

  /** Refuses trailing bytes after the last field. */
  end(): void {
    if (this.remaining !== 0) throw this.fail(`has ${this.remaining} unexpected bytes after its last field`);
  }
}
