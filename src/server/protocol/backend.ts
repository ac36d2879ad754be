/**
 * Encoders of what the server sends (PostgreSQL 15 protocol-message-formats), each returning the
 * bytes of one whole message, type byte and length included. Results stream through
 * {@link MessageBatch} instead: one DataRow per Buffer is too slow for large results.
 */
import { RestSqlError } from '../../errors/index.js';
import { MessageBatch, type DataRowValue } from './message-batch.js';

export { MessageBatch, type DataRowValue } from './message-batch.js';

/** The one-byte answer to SSLRequest when TLS is not offered: the client goes on in the clear or gives up. */
export const SSL_REFUSED: Buffer = Buffer.from('N');
/** The one-byte answer to SSLRequest when TLS is offered: the TLS handshake follows. */
export const SSL_ACCEPTED: Buffer = Buffer.from('S');
/** The one-byte answer to GSSENCRequest: GSSAPI encryption is never offered. */
export const GSSENC_REFUSED: Buffer = Buffer.from('N');

/** One column of a RowDescription. */
export interface RowField {
  readonly name: string;
  /** The table's OID if the column is a plain table column, else 0. */
  readonly tableOid: number;
  /** The column's attribute number in that table, else 0. */
  readonly columnAttr: number;
  readonly typeOid: number;
  /** pg_type.typlen: a fixed size in bytes, -1 for varlena, -2 for a C string. */
  readonly typeSize: number;
  /** pg_attribute.atttypmod: type-specific (varchar length, numeric precision), -1 for none. */
  readonly typeModifier: number;
  /** 0 text, 1 binary: the format the DataRow values of this column are sent in. */
  readonly format: 0 | 1;
}

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** The fields of an ErrorResponse or NoticeResponse (PostgreSQL 15 protocol-error-fields). */
export interface ErrorFields {
  readonly severity: Severity;
  /** The SQLSTATE, five characters. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based position in the query string, in characters (not bytes). */
  readonly position?: number;
  /** A position in {@link internalQuery}, for errors in a query the server generated. */
  readonly internalPosition?: number;
  readonly internalQuery?: string;
  /** Where the error happened, as a call stack of contexts. */
  readonly where?: string;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly dataType?: string;
  readonly constraint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly routine?: string;
}

/** Each optional field of ErrorFields and its one-byte field type, in the order PostgreSQL sends them. */
const OPTIONAL_FIELDS: readonly (readonly [keyof ErrorFields, string])[] = [
  ['detail', 'D'],
  ['hint', 'H'],
  ['position', 'P'],
  ['internalPosition', 'p'],
  ['internalQuery', 'q'],
  ['where', 'W'],
  ['schema', 's'],
  ['table', 't'],
  ['column', 'c'],
  ['dataType', 'd'],
  ['constraint', 'n'],
  ['file', 'F'],
  ['line', 'L'],
  ['routine', 'R'],
];

const R = 0x52; // 'R', every Authentication* message

function small(): MessageBatch {
  return new MessageBatch(256);
}

function empty(type: number): Buffer {
  return Buffer.from([type, 0, 0, 0, 4]);
}

/** AuthenticationOk: the password was right (or none was asked). */
export function authenticationOk(): Buffer {
  return small().begin(R).int32(0).end().take();
}

/** AuthenticationCleartextPassword: asks for the password in the clear (over TLS, one hopes). */
export function authenticationCleartextPassword(): Buffer {
  return small().begin(R).int32(3).end().take();
}

/** AuthenticationMD5Password with its 4-byte salt. */
export function authenticationMD5Password(salt: Buffer): Buffer {
  if (salt.length !== 4) throw new RestSqlError('INTERNAL', `An MD5 salt is 4 bytes, not ${salt.length}.`);
  return small().begin(R).int32(5).bytes(salt).end().take();
}

/** AuthenticationSASL: the SASL mechanisms offered, in order of preference ("SCRAM-SHA-256"). */
export function authenticationSASL(mechanisms: readonly string[]): Buffer {
  const b = small().begin(R).int32(10);
  for (const m of mechanisms) b.cstring(m);
  return b.int8(0).end().take();
}

/** AuthenticationSASLContinue: the server's SASL challenge (SCRAM's server-first-message). */
export function authenticationSASLContinue(data: Buffer): Buffer {
  return small().begin(R).int32(11).bytes(data).end().take();
}

/** AuthenticationSASLFinal: the server's last SASL data (SCRAM's server-final-message). */
export function authenticationSASLFinal(data: Buffer): Buffer {
  return small().begin(R).int32(12).bytes(data).end().take();
}

/** ParameterStatus 'S': a run-time parameter's value (server_version, client_encoding, DateStyle...). */
export function parameterStatus(name: string, value: string): Buffer {
  return small().begin(0x53).cstring(name).cstring(value).end().take();
}

/** BackendKeyData 'K': the key a CancelRequest must quote, as signed Int32s (node-postgres reads them so). */
export function backendKeyData(processId: number, secretKey: number): Buffer {
  return small().begin(0x4b).int32(processId).int32(secretKey).end().take();
}

/** ReadyForQuery 'Z': idle ('I'), in a transaction ('T') or in a failed transaction ('E'). */
export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return Buffer.from([0x5a, 0, 0, 0, 5, status.charCodeAt(0)]);
}

/** RowDescription 'T': the columns of the rows that follow. */
export function rowDescription(fields: readonly RowField[]): Buffer {
  const b = new MessageBatch(64 + 40 * fields.length).begin(0x54).count16(fields.length, 'columns');
  for (const f of fields) {
    b.cstring(f.name).uint32(f.tableOid).int16(f.columnAttr).uint32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
  }
  return b.end().take();
}

/** DataRow 'D' on its own; a result of many rows goes through {@link MessageBatch.addDataRow}. */
export function dataRow(values: readonly DataRowValue[]): Buffer {
  return new MessageBatch(64).addDataRow(values).take();
}

/** CommandComplete 'C' with its tag ("SELECT 3", "INSERT 0 1", "BEGIN"). */
export function commandComplete(tag: string): Buffer {
  return small().begin(0x43).cstring(tag).end().take();
}

/** EmptyQueryResponse 'I': the answer to an empty query string, in place of CommandComplete. */
export function emptyQueryResponse(): Buffer {
  return empty(0x49);
}

/** ErrorResponse 'E'. */
export function errorResponse(fields: ErrorFields): Buffer {
  return errorOrNotice(0x45, fields);
}

/** NoticeResponse 'N': the same fields, sent without ending the command. */
export function noticeResponse(fields: ErrorFields): Buffer {
  return errorOrNotice(0x4e, fields);
}

/**
 * Severity goes twice, as PostgreSQL (9.6 and later) sends it: 'S' may be localized, 'V' never is
 * and is what clients match on.
 */
function errorOrNotice(type: number, fields: ErrorFields): Buffer {
  const b = small().begin(type);
  b.int8(0x53).cstring(fields.severity);
  b.int8(0x56).cstring(fields.severity);
  b.int8(0x43).cstring(fields.code);
  b.int8(0x4d).cstring(fields.message);
  for (const [key, code] of OPTIONAL_FIELDS) {
    const v = fields[key];
    if (v !== undefined) b.int8(code.charCodeAt(0)).cstring(String(v));
  }
  return b.int8(0).end().take();
}

/** ParseComplete '1'. */
export function parseComplete(): Buffer {
  return empty(0x31);
}

/** BindComplete '2'. */
export function bindComplete(): Buffer {
  return empty(0x32);
}

/** CloseComplete '3'. */
export function closeComplete(): Buffer {
  return empty(0x33);
}

/** NoData 'n': the statement or portal described returns no rows. */
export function noData(): Buffer {
  return empty(0x6e);
}

/** ParameterDescription 't': the type OIDs of a prepared statement's parameters. */
export function parameterDescription(oids: readonly number[]): Buffer {
  const b = new MessageBatch(16 + 4 * oids.length).begin(0x74).count16(oids.length, 'parameters');
  for (const oid of oids) b.uint32(oid);
  return b.end().take();
}

/** PortalSuspended 's': Execute stopped at its row limit; the portal can be executed again for more. */
export function portalSuspended(): Buffer {
  return empty(0x73);
}

/** CopyOutResponse 'H': COPY ... TO STDOUT begins; 0 text or 1 binary overall, and per column. */
export function copyOutResponse(overallFormat: 0 | 1, columnFormats: readonly number[]): Buffer {
  const b = new MessageBatch(16 + 2 * columnFormats.length).begin(0x48).int8(overallFormat).count16(columnFormats.length, 'columns');
  for (const f of columnFormats) b.int16(f);
  return b.end().take();
}

/** CopyData 'd': a piece of the COPY stream (a string is written as UTF-8). */
export function copyData(data: Buffer | string): Buffer {
  return new MessageBatch(typeof data === 'string' ? 8 + 3 * data.length : 8 + data.length).begin(0x64).bytes(data).end().take();
}

/** CopyDone 'c'. */
export function copyDone(): Buffer {
  return empty(0x63);
}

/**
 * NegotiateProtocolVersion 'v': the newest minor version of protocol 3 the server speaks (when the
 * client asked for a newer one) and the `_pq_.` protocol options it did not recognise.
 */
export function negotiateProtocolVersion(minor: number, unknownOptions: readonly string[]): Buffer {
  const b = small().begin(0x76).int32(minor).int32(unknownOptions.length);
  for (const o of unknownOptions) b.cstring(o);
  return b.end().take();
}
