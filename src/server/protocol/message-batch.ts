/**
 * A growing buffer of backend messages, written in place: the server streams results of hundreds
 * of thousands of rows, and one socket write of many DataRow messages costs far less than one
 * Buffer (and one write) per row. Each message is its type byte, an Int32 length that counts
 * itself and the body but not the type byte, then the body (PostgreSQL 15
 * protocol-message-formats); the length is patched in once the body is written, so no value is
 * measured twice.
 *
 * Use: `addDataRow(values)` (or `add(message)`) until `size` passes the chunk you want to write,
 * then `take()` the bytes and hand them to the socket. The encoders in backend.ts build their
 * messages with `begin` ... `end` on a small batch of their own.
 */
import { RestSqlError } from '../../errors/index.js';

const EMPTY = Buffer.alloc(0);
/** The protocol's Int16 counts are read signed by common clients (node-postgres among them). */
const MAX_INT16_COUNT = 0x7fff;
const MAX_INT32 = 0x7fffffff;

/** A DataRow value: text or binary bytes as the column's format says, or null for SQL NULL. */
export type DataRowValue = Buffer | Uint8Array | string | null;

export class MessageBatch {
  private buf: Buffer;
  private len = 0;
  /** Where the open message's length goes (its type byte is just before), or -1 when none is open. */
  private lengthAt = -1;
  private readonly initialCapacity: number;

  /** @param initialCapacity bytes reserved at first and after each take(); grows as needed. */
  constructor(initialCapacity = 64 * 1024) {
    this.initialCapacity = Math.max(16, Math.floor(initialCapacity));
    this.buf = EMPTY;
  }

  /** Bytes held. */
  get size(): number {
    return this.len;
  }

  /** The bytes held, which this batch never writes again; the batch starts over empty. */
  take(): Buffer {
    if (this.lengthAt >= 0) throw internal('take() was called with a message begun and not ended');
    const out = this.buf.subarray(0, this.len);
    this.buf = EMPTY;
    this.len = 0;
    return out;
  }

  /** Appends a whole encoded message (or several). */
  add(message: Buffer): this {
    this.ensure(message.length);
    this.buf.set(message, this.len);
    this.len += message.length;
    return this;
  }

  /**
   * Appends one DataRow ('D'): Int16 column count, then per column an Int32 length (-1 for NULL)
   * and the value's bytes. Strings are written as UTF-8 straight into the batch: room for the worst
   * case (3 bytes per UTF-16 unit) is reserved first, and the length written is what was written.
   */
  addDataRow(values: readonly DataRowValue[]): this {
    const n = values.length;
    if (n > MAX_INT16_COUNT) throw tooManyColumns(n);
    let worst = 7 + 4 * n;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v != null) worst += typeof v === 'string' ? 3 * v.length : v.length;
    }
    this.ensure(worst);
    const buf = this.buf;
    const start = this.len;
    buf[start] = 0x44; // 'D'
    buf[start + 5] = n >>> 8;
    buf[start + 6] = n & 0xff;
    let o = start + 7;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      let bytes: number;
      if (v == null) {
        bytes = -1;
      } else if (typeof v === 'string') {
        bytes = v.length === 0 ? 0 : buf.write(v, o + 4);
      } else {
        buf.set(v, o + 4);
        bytes = v.length;
      }
      buf[o] = bytes >>> 24;
      buf[o + 1] = (bytes >>> 16) & 0xff;
      buf[o + 2] = (bytes >>> 8) & 0xff;
      buf[o + 3] = bytes & 0xff;
      o += 4 + (bytes > 0 ? bytes : 0);
    }
    writeLength(buf, start + 1, o - start - 1);
    this.len = o;
    return this;
  }

  /** Opens a message of the given type byte; its body follows, then {@link end}. */
  begin(type: number): this {
    if (this.lengthAt >= 0) throw internal('begin() was called with a message already open');
    this.ensure(5);
    this.buf[this.len] = type;
    this.lengthAt = this.len + 1;
    this.len += 5;
    return this;
  }

  /** Closes the open message, writing its length. */
  end(): this {
    if (this.lengthAt < 0) throw internal('end() was called with no message open');
    writeLength(this.buf, this.lengthAt, this.len - this.lengthAt);
    this.lengthAt = -1;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  /** An Int16 count, refused past what clients read (a signed Int16). */
  count16(n: number, what: string): this {
    if (n > MAX_INT16_COUNT) {
      throw new RestSqlError('SERVER_UNSUPPORTED', `${n} ${what} are more than the ${MAX_INT16_COUNT} one PostgreSQL protocol message can carry.`, {
        hint: 'Select fewer columns or parameters.',
      });
    }
    return this.int16(n);
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  /** An Int32 field that holds an unsigned value (an OID). */
  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  /**
   * A NUL-terminated UTF-8 string. A NUL inside the string would end it early and put the client
   * out of step with every later message, and PostgreSQL text can never hold one, so it is
   * written as U+FFFD (the replacement character) instead.
   */
  cstring(s: string): this {
    const text = s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
    this.ensure(3 * text.length + 1);
    this.len += this.buf.write(text, this.len);
    this.buf[this.len++] = 0;
    return this;
  }

  /** Raw bytes; a string is written as UTF-8. */
  bytes(v: Buffer | string): this {
    if (typeof v === 'string') {
      this.ensure(3 * v.length);
      this.len += this.buf.write(v, this.len);
    } else {
      this.ensure(v.length);
      this.buf.set(v, this.len);
      this.len += v.length;
    }
    return this;
  }

  private ensure(bytes: number): void {
    const need = this.len + bytes;
    if (need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(need, 2 * this.buf.length, this.initialCapacity));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function writeLength(buf: Buffer, at: number, length: number): void {
  if (length > MAX_INT32) {
    throw new RestSqlError('SERVER_UNSUPPORTED', `A message of ${length} bytes is more than the 2 GiB one PostgreSQL protocol message can carry.`, {
      hint: 'Select smaller values (PostgreSQL itself caps a value at 1 GiB).',
    });
  }
  buf.writeInt32BE(length, at);
}

function tooManyColumns(n: number): RestSqlError {
  return new RestSqlError('SERVER_UNSUPPORTED', `A row of ${n} columns is more than the ${MAX_INT16_COUNT} one PostgreSQL DataRow message can carry.`, {
    hint: 'Select fewer columns.',
  });
}

function internal(problem: string): RestSqlError {
  return new RestSqlError('INTERNAL', `MessageBatch misuse: ${problem}.`);
}
