/**
 * The catalog's side of the protocol: restsql is the client of the catalog's PostgreSQL (PGlite).
 * Builds the frontend messages it sends (PostgreSQL 15 protocol-message-formats: Query, Parse,
 * Bind, Describe, Execute, Sync) and reads the backend messages that come back, keeping
 * RowDescription and DataRow as the bytes PostgreSQL wrote so they reach the client unchanged.
 */
import { RestSqlError } from '../../errors/index.js';
import { BodyReader } from '../protocol/body-reader.js';
import { MessageBatch } from '../protocol/message-batch.js';
import type { ErrorFields, Severity } from '../protocol/backend.js';

/** A simple Query message. */
export function queryMessage(sql: string): Buffer {
  return new MessageBatch(sql.length + 16).begin(0x51).cstring(sql).end().take();
}

export interface ExtendedRequest {
  readonly sql: string;
  /** Parameter type OIDs as the client declared them (0: let PostgreSQL infer). */
  readonly paramOids: readonly number[];
  /** Run it (Bind + Execute) with these values; undefined: only describe the statement. */
  readonly bind?: {
    /** Each value's bytes as the client sent them, null for NULL. */
    readonly values: readonly (Buffer | null)[];
    readonly paramFormats: readonly number[];
    readonly resultFormats: readonly number[];
  };
}

/**
 * The unnamed statement's Parse, then Describe of the statement (describe only) or Bind, Describe
 * of the portal and Execute of every row, then Sync: one message each, in order.
 */
export function extendedMessages(r: ExtendedRequest): Buffer[] {
  const out: Buffer[] = [];
  const b = new MessageBatch(r.sql.length + 256);
  b.begin(0x50).cstring('').cstring(r.sql).count16(r.paramOids.length, 'parameter types');
  for (const oid of r.paramOids) b.uint32(oid);
  out.push(b.end().take());
  if (!r.bind) {
    out.push(b.begin(0x44).int8(0x53).cstring('').end().take());
  } else {
    const { values, paramFormats, resultFormats } = r.bind;
    b.begin(0x42).cstring('').cstring('').count16(paramFormats.length, 'parameter formats');
    for (const f of paramFormats) b.int16(f);
    b.count16(values.length, 'parameters');
    for (const v of values) {
      if (v === null) b.int32(-1);
      else b.int32(v.length).bytes(v);
    }
    b.count16(resultFormats.length, 'result formats');
    for (const f of resultFormats) b.int16(f);
    out.push(b.end().take());
    out.push(b.begin(0x44).int8(0x50).cstring('').end().take());
    out.push(executeMessage(0));
  }
  out.push(b.begin(0x53).end().take());
  return out;
}

/** Execute of the unnamed portal, at most `rows` rows (0: all). */
export function executeMessage(rows: number): Buffer {
  return new MessageBatch(16).begin(0x45).cstring('').int32(rows).end().take();
}

/** Whether the backend messages in `bytes` hold one of type `type` (a byte, e.g. 0x73 PortalSuspended). */
export function holds(bytes: Uint8Array, type: number): boolean {
  let at = 0;
  while (at + 5 <= bytes.length) {
    if (bytes[at] === type) return true;
    at += 1 + (((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0);
  }
  return false;
}

/** Whether the backend messages in `bytes` hold an ErrorResponse. */
export function hasError(bytes: Uint8Array): boolean {
  return holds(bytes, 0x45);
}

/** What came back for one request. */
export interface BackendReply {
  /** ParameterDescription's OIDs (describe only). */
  paramOids?: number[];
  /** The RowDescription message as PostgreSQL wrote it; null: NoData (no rows); undefined: none came. */
  rowDescription?: Buffer | null;
  /** DataRow messages as PostgreSQL wrote them. */
  readonly rows: Buffer[];
  /** Bytes of the DataRows. */
  rowBytes: number;
  /** CommandComplete's tag; undefined when none came (an error, or describe only). */
  tag?: string;
  /** An EmptyQueryResponse came. */
  empty: boolean;
  /** The first ErrorResponse. */
  error?: ErrorFields;
  /** NoticeResponse messages (warnings, notices), as fields. */
  readonly notices: ErrorFields[];
}

/**
 * Reads the backend messages in `bytes` (whole messages, as PGlite returns them). DataRows past
 * `maxRowBytes` end the reading with an error: a reply is bounded.
 */
export function readBackend(bytes: Uint8Array, maxRowBytes = Number.POSITIVE_INFINITY): BackendReply {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reply: BackendReply = { rows: [], rowBytes: 0, empty: false, notices: [] };
  let at = 0;
  while (at + 5 <= buf.length) {
    const type = buf[at]!;
    const length = buf.readInt32BE(at + 1);
    if (length < 4 || at + 1 + length > buf.length) throw malformed(`a message of type ${String.fromCharCode(type)} runs past the reply`);
    const whole = buf.subarray(at, at + 1 + length);
    const body = buf.subarray(at + 5, at + 1 + length);
    at += 1 + length;
    switch (type) {
      case 0x44: // DataRow
        reply.rowBytes += whole.length;
        if (reply.rowBytes > maxRowBytes) {
          throw new RestSqlError('CATALOG_RESULT_TOO_LARGE', `The catalog query's result is larger than ${maxRowBytes} bytes.`, { hint: 'Select fewer rows or columns from the catalog.' });
        }
        reply.rows.push(Buffer.from(whole));
        break;
      case 0x54: // RowDescription
        reply.rowDescription = Buffer.from(whole);
        break;
      case 0x6e: // NoData
        reply.rowDescription = null;
        break;
      case 0x74: {
        // ParameterDescription
        const r = new BodyReader(body, 'ParameterDescription', false);
        const n = r.int16('parameter count');
        const oids: number[] = [];
        for (let i = 0; i < n; i++) oids.push(r.uint32('parameter type'));
        reply.paramOids = oids;
        break;
      }
      case 0x43: // CommandComplete
        reply.tag = new BodyReader(body, 'CommandComplete', false).cstring('tag');
        break;
      case 0x49: // EmptyQueryResponse
        reply.empty = true;
        break;
      case 0x45: // ErrorResponse
        reply.error ??= readFields(body);
        break;
      case 0x4e: // NoticeResponse
      {
        // What a client sees at PostgreSQL's default client_min_messages (notice): not DEBUG or LOG.
        const notice = readFields(body);
        if (notice.severity !== 'DEBUG' && notice.severity !== 'LOG') reply.notices.push(notice);
      }
        break;
      default:
        // ParseComplete, BindComplete, ReadyForQuery, ParameterStatus, PortalSuspended: nothing to keep.
        break;
    }
  }
  if (at !== buf.length) throw malformed('the reply ends inside a message');
  return reply;
}

function malformed(what: string): RestSqlError {
  return new RestSqlError('CATALOG_UNAVAILABLE', `The catalog's PostgreSQL answered with a malformed reply: ${what}.`, { hint: 'Retry; if it persists, report it with the query.' });
}

const FIELD_NAMES: Readonly<Record<string, keyof ErrorFields>> = {
  S: 'severity',
  C: 'code',
  M: 'message',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
};

/** An ErrorResponse's or NoticeResponse's fields (file, line and routine of PostgreSQL's source are left out). */
function readFields(body: Buffer): ErrorFields {
  const r = new BodyReader(body, 'ErrorResponse', false);
  const out: Record<string, string | number> = {};
  for (;;) {
    const code = r.byte('field type');
    if (code === 0) break;
    const value = r.cstring('field value');
    const name = FIELD_NAMES[String.fromCharCode(code)];
    if (!name) continue;
    out[name] = name === 'position' || name === 'internalPosition' ? Number(value) : value;
  }
  return { severity: (out['severity'] as Severity | undefined) ?? 'ERROR', code: (out['code'] as string | undefined) ?? 'XX000', message: (out['message'] as string | undefined) ?? 'unknown error', ...out } as ErrorFields;
}

/**
 * RowDescription `message` with each field's format code set from Bind's result formats (PostgreSQL
 * describes a statement with text formats; a portal carries the formats its Bind asked for).
 */
export function withResultFormats(message: Buffer, formats: readonly number[]): Buffer {
  if (formats.length === 0) return message;
  const out = Buffer.from(message);
  const n = out.readInt16BE(5);
  let at = 7;
  for (let i = 0; i < n; i++) {
    const nul = out.indexOf(0, at);
    if (nul < 0) throw malformed('a RowDescription field has no name end');
    at = nul + 1 + 4 + 2 + 4 + 2 + 4;
    const f = formats.length === 1 ? formats[0]! : formats[i] ?? 0;
    out.writeInt16BE(f, at);
    at += 2;
  }
  return out;
}

/** How many fields a RowDescription message has. */
export function fieldCount(message: Buffer): number {
  return message.readInt16BE(5);
}
