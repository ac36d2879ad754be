/**
 * node-postgres's own SCRAM-SHA-256 client (pg/lib/crypto/sasl.js), for tests that speak the
 * protocol by hand and must log in as a real client would. The package does not export it, nor
 * types for it: these are the three calls node-postgres makes.
 */
import { createRequire } from 'node:module';

export interface PgSaslSession {
  mechanism: string;
  clientNonce: string;
  response: string;
  message: string;
}

export interface PgSasl {
  startSession(mechanisms: string[], stream?: unknown): PgSaslSession;
  continueSession(session: PgSaslSession, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: PgSaslSession, serverData: string): void;
}

export const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as PgSasl;
