/**
 * The decoder of what PostgreSQL clients send (PostgreSQL 15 protocol-flow and
 * protocol-message-formats): the untyped startup-phase packets (StartupMessage, SSLRequest,
 * GSSENCRequest, CancelRequest) and the typed messages after them.
 *
 * Bytes arrive as the socket gives them: a message may be split anywhere and a chunk may hold
 * several. The reader keeps the unread bytes, checks each message's declared length as soon as
 * its header is in (so a client cannot make the server buffer an oversize body), and decodes a
 * message only when all of it is there. Decoded byte values (Bind parameters, CopyData, password
 * bodies) are views of the received bytes, not copies.
 *
 * Errors are RestSqlError SERVER_PROTOCOL (SQLSTATE 08P01) with `details.fatal` saying whether the
 * stream is lost (close the connection) or one message was malformed (answer ERROR, carry on); see
 * {@link isFatalProtocolError}.
 */
import { BodyReader, protocolError } from './body-reader.js';

export { isFatalProtocolError } from './body-reader.js';

export type StartupPacket =
  /**
   * StartupMessage. `major` is always 3; `minor` is what the client asked for (0 today; a newer
   * client may ask for more and should be answered with NegotiateProtocolVersion). `params` holds
   * the pairs as sent: user, database, application_name, options, client_encoding..., and any
   * `_pq_.` protocol options (which also call for NegotiateProtocolVersion). A name sent twice keeps
   * its last value.
   */
  | { kind: 'startup'; major: number; minor: number; params: ReadonlyMap<string, string> }
  /** SSLRequest (code 80877103): answer with one byte, SSL_REFUSED or SSL_ACCEPTED (backend.ts). */
  | { kind: 'ssl' }
  /** GSSENCRequest (code 80877104): answer with one byte, GSSENC_REFUSED (backend.ts). */
  | { kind: 'gssenc' }
  /** CancelRequest (code 80877102); the key is the pair sent in BackendKeyData, as signed Int32s. */
  | { kind: 'cancel'; processId: number; secretKey: number };

/**
 * A typed frontend message. Format code arrays are kept as sent, which the protocol gives three
 * shapes: no codes (every value is text), one code (it applies to every value) or one code per
 * value. Bind's parameter formats are checked against that rule here (it needs only the message);
 * its result formats can only be checked against the portal's columns, by the session. The codes'
 * values (0 text, 1 binary) are not checked here either: PostgreSQL answers an unknown one with an
 * ERROR at Bind, which is the session's to send.
 */
export type FrontendMessage =
  /** 'Q' Query: one or more SQL statements, simple query protocol. */
  | { type: 'query'; sql: string }
  /** 'P' Parse: `statement` '' is the unnamed statement; paramTypes are OIDs, 0 = let the server infer. */
  | { type: 'parse'; statement: string; sql: string; paramTypes: number[] }
  /** 'B' Bind: params[i] null is SQL NULL (length -1); values are views of the received bytes. */
  | { type: 'bind'; portal: string; statement: string; paramFormats: number[]; params: (Buffer | null)[]; resultFormats: number[] }
  /** 'D' Describe a prepared statement ('S') or a portal ('P'). */
  | { type: 'describe'; target: 'statement' | 'portal'; name: string }
  /** 'E' Execute: maxRows 0 means no limit (read unsigned, as PostgreSQL does). */
  | { type: 'execute'; portal: string; maxRows: number }
  /** 'C' Close a prepared statement ('S') or a portal ('P'). */
  | { type: 'close'; target: 'statement' | 'portal'; name: string }
  | { type: 'sync' }
  | { type: 'flush' }
  | { type: 'terminate' }
  /**
   * 'p': PasswordMessage, SASLInitialResponse and SASLResponse share this type byte and only the
   * authentication stage knows which one to expect; it reads the body with
   * {@link readPasswordMessage}, {@link readSaslInitial}, or takes it raw (SASLResponse).
   */
  | { type: 'password'; body: Buffer }
  | { type: 'copyData'; data: Buffer }
  | { type: 'copyDone' }
  | { type: 'copyFail'; message: string }
  /** 'F' FunctionCall: decoded only enough to refuse it (the body is not read). */
  | { type: 'functionCall' };

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a longer startup packet is refused unread. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, the cap on messages that carry no data (Sync, Describe...). */
const SMALL_MESSAGE_BYTES = 10_000;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, the cap on password and SASL messages. */
const AUTH_MESSAGE_BYTES = 65_535;

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;
/** The "major version" of the special request codes above (1234 << 16 | 5678 and so on). */
const REQUEST_CODE_MAJOR = 1234;

/** Each frontend message type: its name in errors and how large PostgreSQL lets it be. */
const MESSAGE_TYPES: ReadonlyMap<number, { readonly name: string; readonly small: boolean; readonly auth?: true }> = new Map([
  [0x51, { name: 'Query', small: false }], // 'Q'
  [0x50, { name: 'Parse', small: false }], // 'P'
  [0x42, { name: 'Bind', small: false }], // 'B'
  [0x44, { name: 'Describe', small: true }], // 'D'
  [0x45, { name: 'Execute', small: true }], // 'E'
  [0x43, { name: 'Close', small: true }], // 'C'
  [0x53, { name: 'Sync', small: true }], // 'S'
  [0x48, { name: 'Flush', small: true }], // 'H'
  [0x58, { name: 'Terminate', small: true }], // 'X'
  [0x70, { name: 'PasswordMessage', small: false, auth: true }], // 'p'
  [0x64, { name: 'CopyData', small: false }], // 'd'
  [0x63, { name: 'CopyDone', small: true }], // 'c'
  [0x66, { name: 'CopyFail', small: true }], // 'f'
  [0x46, { name: 'FunctionCall', small: false }], // 'F'
]);

const EMPTY = Buffer.alloc(0);
/** The first allocation when bytes must be kept across pushes; later ones double. */
const MIN_GROWTH = 16 * 1024;

export interface FrontendReaderLimits {
  /**
   * The largest message accepted, counted as its declared length (which includes the 4 length
   * bytes, not the type byte). A message declaring more is refused from its header alone.
   */
  readonly maxMessageBytes: number;
}

/**
 * Cuts the client's byte stream into messages. Call {@link push} with each chunk as it arrives,
 * then {@link readStartup} (before and between the startup-phase packets) or {@link read} (after)
 * until it returns undefined. Checking after every push is what bounds the bytes held: a message
 * whose header declares too much is refused before its body is buffered.
 *
 * `push` keeps a reference to the chunk instead of copying it when it can, and decoded values are
 * views of it: do not modify a chunk after pushing it. After a fatal error every later call throws
 * that error again.
 */
export class FrontendReader {
  private readonly maxMessageBytes: number;
  /** The bytes held are buf[start, end); buf[end, buf.length) is spare room that only this reader wrote into. */
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private broken: Error | undefined;

  constructor(limits: FrontendReaderLimits) {
    const max = limits.maxMessageBytes;
    if (!Number.isSafeInteger(max) || max < 5) {
      throw protocolError(`maxMessageBytes must be a whole number of at least 5 bytes, not ${max}.`, true);
    }
    this.maxMessageBytes = max;
  }

  /** Bytes received and not yet decoded. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Appends bytes as they arrive. */
  push(chunk: Buffer): void {
    if (this.broken) throw this.broken;
    if (chunk.length === 0) return;
    const held = this.end - this.start;
    if (held === 0) {
      // Nothing pending: keep the chunk itself. Its length is its end, so there is no spare room in
      // it that a later push could write into.
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.end + chunk.length <= this.buf.length) {
      // Spare room exists only in a buffer this reader allocated; the views it handed out all lie
      // before `start`, so writing after `end` cannot change them.
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    // A fresh buffer (never compacting in place: handed-out views of the old one must stay intact).
    // Doubling keeps the copies of a large message's pieces linear; the size of the message being
    // received bounds it, so a client that declares a large message and sends little of it does not
    // make the server reserve the whole.
    const need = held + chunk.length;
    const pending = this.pendingFrameBytes();
    const size = Math.max(need, Math.min(Math.max(2 * need, MIN_GROWTH), pending));
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, held);
    this.buf = next;
    this.start = 0;
    this.end = need;
  }

  /**
   * The first packet(s) of a connection, which carry no type byte: Int32 length, Int32 code, body.
   * Undefined until the whole packet is in.
   */
  readStartup(): StartupPacket | undefined {
    if (this.broken) throw this.broken;
    try {
      return this.decodeStartup();
    } catch (e) {
      this.broken = e as Error;
      throw e;
    }
  }

  /** The next typed message; undefined until the whole of it is in. */
  read(): FrontendMessage | undefined {
    if (this.broken) throw this.broken;
    const held = this.end - this.start;
    if (held < 1) return undefined;
    const buf = this.buf;
    const at = this.start;
    const typeByte = buf[at] as number;
    const kind = MESSAGE_TYPES.get(typeByte);
    if (kind === undefined) return this.fail(unknownTypeError(typeByte));
    if (held < 5) return undefined;
    const length = buf.readUInt32BE(at + 1);
    if (length < 4) {
      return this.fail(protocolError(`A ${kind.name} message declares a length of ${length} bytes; the least possible is 4 (the length itself).`, true, { message: kind.name, length }));
    }
    const cap = kind.auth ? Math.min(AUTH_MESSAGE_BYTES, this.maxMessageBytes) : kind.small ? Math.min(SMALL_MESSAGE_BYTES, this.maxMessageBytes) : this.maxMessageBytes;
    if (length > cap) return this.fail(oversizeError(kind.name, length, cap, cap === this.maxMessageBytes));
    if (held < 1 + length) return undefined;
    const body = buf.subarray(at + 5, at + 1 + length);
    this.consume(1 + length);
    return decodeMessage(typeByte, kind.name, body);
  }

  private decodeStartup(): StartupPacket | undefined {
    const held = this.end - this.start;
    if (held < 4) return undefined;
    const buf = this.buf;
    const at = this.start;
    const length = buf.readUInt32BE(at);
    if (length > MAX_STARTUP_PACKET_BYTES) throw oversizeStartupError(length, buf.subarray(at, Math.min(this.end, at + 8)));
    if (length < 8) {
      throw protocolError(`The startup packet declares a length of ${length} bytes; the least possible is 8 (the length and the protocol code).`, true, { length });
    }
    if (held < 8) return undefined;
    const code = buf.readUInt32BE(at + 4);
    const major = code >>> 16;
    const minor = code & 0xffff;
    // Refuse an unknown code or version as soon as it is in, before waiting for the rest.
    if (major === REQUEST_CODE_MAJOR) {
      if (code !== SSL_REQUEST_CODE && code !== GSSENC_REQUEST_CODE && code !== CANCEL_REQUEST_CODE) {
        throw protocolError(`The startup packet has an unknown request code ${code} (${major}.${minor}); restsql serve knows StartupMessage 3.0, SSLRequest, GSSENCRequest and CancelRequest.`, true, { code });
      }
    } else if (major !== 3) {
      throw protocolError(`The client asked for protocol version ${major}.${minor}: protocol version ${major} is not supported; restsql serve speaks protocol 3.0.`, true, { major, minor }, 'Use a client or driver that speaks protocol 3.0 (every PostgreSQL client since PostgreSQL 7.4 does).');
    }
    if (held < length) return undefined;
    const body = buf.subarray(at + 8, at + length);
    this.consume(length);
    if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
      const name = code === SSL_REQUEST_CODE ? 'SSLRequest' : 'GSSENCRequest';
      if (length !== 8) throw protocolError(`The ${name} packet is ${length} bytes long; it must be 8.`, true, { message: name, length });
      return code === SSL_REQUEST_CODE ? { kind: 'ssl' } : { kind: 'gssenc' };
    }
    if (code === CANCEL_REQUEST_CODE) {
      if (length !== 16) throw protocolError(`The CancelRequest packet is ${length} bytes long; it must be 16.`, true, { message: 'CancelRequest', length });
      return { kind: 'cancel', processId: body.readInt32BE(0), secretKey: body.readInt32BE(4) };
    }
    const r = new BodyReader(body, 'startup', true);
    const params = new Map<string, string>();
    for (;;) {
      if (r.remaining === 0) throw r.fail('has no empty name ending its parameter list');
      const name = r.cstring('parameter name');
      if (name === '') break;
      params.set(name, r.cstring(`value of parameter "${name}"`));
    }
    r.end();
    return { kind: 'startup', major, minor, params };
  }

  /**
   * The total bytes of the message or packet at `start` when its header is in, so growth can aim
   * at it; 0 when not known. Both header shapes are tried (the reader does not know its phase), and
   * the larger is only a sizing hint, capped by the checks in read/readStartup.
   */
  private pendingFrameBytes(): number {
    const held = this.end - this.start;
    if (held < 4) return 0;
    const asStartup = this.buf.readUInt32BE(this.start);
    const asTyped = held >= 5 ? this.buf.readUInt32BE(this.start + 1) + 1 : 0;
    const guess = Math.max(asStartup <= MAX_STARTUP_PACKET_BYTES ? asStartup : 0, asTyped <= this.maxMessageBytes + 1 ? asTyped : 0);
    return guess;
  }

  private consume(bytes: number): void {
    this.start += bytes;
    if (this.start === this.end) {
      // Drop the reference so a large buffer is not kept for nothing (views handed out keep what they need).
      this.buf = EMPTY;
      this.start = 0;
      this.end = 0;
    }
  }

  private fail(e: Error): never {
    this.broken = e;
    throw e;
  }
}

function decodeMessage(typeByte: number, name: string, body: Buffer): FrontendMessage {
  const r = new BodyReader(body, name, false);
  switch (typeByte) {
    case 0x51: {
      const sql = r.cstring('query string');
      r.end();
      return { type: 'query', sql };
    }
    case 0x50: {
      const statement = r.cstring('statement name');
      const sql = r.cstring('query string');
      const n = r.count16('parameter type count');
      const paramTypes = new Array<number>(n);
      for (let i = 0; i < n; i++) paramTypes[i] = r.uint32(`parameter ${i + 1} type OID`);
      r.end();
      return { type: 'parse', statement, sql, paramTypes };
    }
    case 0x42:
      return decodeBind(r);
    case 0x44:
    case 0x43: {
      const target = readTarget(r);
      const label = target === 'statement' ? 'statement name' : 'portal name';
      const named = r.cstring(label);
      r.end();
      return { type: typeByte === 0x44 ? 'describe' : 'close', target, name: named };
    }
    case 0x45: {
      const portal = r.cstring('portal name');
      const maxRows = r.uint32('row limit');
      r.end();
      return { type: 'execute', portal, maxRows };
    }
    case 0x53:
      r.end();
      return { type: 'sync' };
    case 0x48:
      r.end();
      return { type: 'flush' };
    case 0x58:
      r.end();
      return { type: 'terminate' };
    case 0x70:
      return { type: 'password', body: r.rest() };
    case 0x64:
      return { type: 'copyData', data: r.rest() };
    case 0x63:
      r.end();
      return { type: 'copyDone' };
    case 0x66: {
      const message = r.cstring('error message');
      r.end();
      return { type: 'copyFail', message };
    }
    default: // 0x46, FunctionCall: the only type left in MESSAGE_TYPES
      return { type: 'functionCall' };
  }
}

function decodeBind(r: BodyReader): FrontendMessage {
  const portal = r.cstring('portal name');
  const statement = r.cstring('statement name');
  const paramFormats = readFormats(r, 'parameter');
  const n = r.count16('parameter count');
  const params = new Array<Buffer | null>(n);
  for (let i = 0; i < n; i++) {
    const length = r.int32(`parameter ${i + 1} length`);
    if (length === -1) params[i] = null;
    else if (length < 0) throw r.fail(`gives parameter ${i + 1} the length ${length}; a value's length is -1 (NULL) or at least 0`);
    else params[i] = r.bytes(length, `parameter ${i + 1} value (${length} bytes)`);
  }
  const resultFormats = readFormats(r, 'result column');
  r.end();
  if (paramFormats.length > 1 && paramFormats.length !== n) {
    throw r.fail(`has ${paramFormats.length} parameter format codes for ${n} parameters; send none (all text), one (for every parameter) or one per parameter`);
  }
  return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
}

function readFormats(r: BodyReader, of: string): number[] {
  const n = r.count16(`${of} format code count`);
  const formats = new Array<number>(n);
  for (let i = 0; i < n; i++) formats[i] = r.int16(`${of} format code ${i + 1}`);
  return formats;
}

function readTarget(r: BodyReader): 'statement' | 'portal' {
  const b = r.byte("'S' (statement) or 'P' (portal) byte");
  if (b === 0x53) return 'statement';
  if (b === 0x50) return 'portal';
  throw r.fail(`names target ${printable(b)}; it must be 'S' (a prepared statement) or 'P' (a portal)`);
}

/** Reads a PasswordMessage body ('p' answering AuthenticationCleartextPassword): one NUL-terminated string. */
export function readPasswordMessage(body: Buffer): string {
  const r = new BodyReader(body, 'PasswordMessage', true);
  const password = r.cstring('password');
  r.end();
  return password;
}

/**
 * Reads a SASLInitialResponse body ('p' answering AuthenticationSASL): the chosen mechanism, then
 * an Int32 length and the mechanism's initial response. Length -1 (no initial response) gives an
 * empty `data`.
 */
export function readSaslInitial(body: Buffer): { mechanism: string; data: Buffer } {
  const r = new BodyReader(body, 'SASLInitialResponse', true);
  const mechanism = r.cstring('mechanism name');
  const length = r.int32('initial response length');
  if (length < -1) throw r.fail(`declares an initial response of ${length} bytes`);
  const data = length === -1 ? EMPTY : r.bytes(length, `initial response (${length} bytes)`);
  r.end();
  return { mechanism, data };
}

function printable(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}' (${hex})` : hex;
}

function unknownTypeError(b: number): Error {
  return protocolError(`The client sent a message of unknown type ${printable(b)}; restsql serve knows the PostgreSQL 3.0 frontend messages Q P B D E C S H X p d c f F.`, true, { typeByte: b });
}

function oversizeError(name: string, length: number, cap: number, configurable: boolean): Error {
  return protocolError(
    `A ${name} message declares ${length} bytes, more than the ${cap} bytes restsql serve accepts for it.`,
    true,
    { message: name, length, cap },
    configurable
      ? `Raise the limit with the --max-message-size option of restsql serve, or send smaller statements and parameters.`
      : `PostgreSQL caps ${name} messages at ${cap} bytes too; the client is sending something else than a ${name}.`,
  );
}

function oversizeStartupError(length: number, head: Buffer): Error {
  const text = head.toString('latin1');
  const hint = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT) /.test(text)
    ? 'This port speaks the PostgreSQL protocol, not HTTP; connect with a PostgreSQL client (psql, JDBC, ODBC...).'
    : head[0] === 0x16 && head[1] === 0x03
      ? 'The client began TLS without an SSLRequest (direct TLS); restsql serve expects an SSLRequest first (sslnegotiation=postgres, the default).'
      : 'The client is not speaking the PostgreSQL protocol, or sent bytes out of step.';
  return protocolError(`The startup packet declares ${length} bytes, more than the ${MAX_STARTUP_PACKET_BYTES} PostgreSQL allows.`, true, { length }, hint);
}
