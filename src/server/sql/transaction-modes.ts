/**
 * The transaction characteristics of BEGIN, START TRANSACTION, SET TRANSACTION and SET SESSION
 * CHARACTERISTICS AS TRANSACTION (PostgreSQL 15 sql-set-transaction). A field left out was not
 * given: the session default (default_transaction_isolation, default_transaction_read_only,
 * default_transaction_deferrable) applies.
 */
export type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed' | 'read uncommitted';

export const ISOLATION_LEVELS: readonly IsolationLevel[] = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'];

export interface TransactionModes {
  readonly isolation?: IsolationLevel;
  readonly readOnly?: boolean;
  readonly deferrable?: boolean;
}
