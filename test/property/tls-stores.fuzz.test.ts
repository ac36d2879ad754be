/**
 * TrustStore and KeyStore files are user input: whatever bytes they hold, reading them ends in a
 * result or a coded CONFIG_* RestSqlError (never INTERNAL, a TypeError or a RangeError from
 * node-forge or the JKS reader) and never takes long. Mutations (flipped, inserted, removed and
 * truncated bytes) of real stores: keytool's JKS, JCEKS and PKCS#12, and PEM text. Seeded and
 * bounded; the seed is printed on failure (RESTSQL_FC_SEED replays it).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { RestSqlError, Secret } from '../../src/errors/index.js';
import { readKeyStore } from '../../src/tls/key-store.js';
import { readTrustStore } from '../../src/tls/trust-store.js';
import { ROOT } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const SEED = Number(process.env.RESTSQL_FC_SEED ?? 20261215);
const RUNS = 250;
const PER_INPUT_MS = 2000;
const DATA = join(ROOT, 'test', 'data', 'tls');
const dir = tempDir(after, 'restsql-tls-fuzz-');
const SEEDS = ['truststore.jks', 'truststore.jceks', 'keypair.jks', 'truststore.p12', 'client.p12', 'ca.pem', 'client.pem'].map((f) => readFileSync(join(DATA, f)));

/** Random edits of a seed store: replace, insert or delete a few bytes, or cut it short. */
const mutatedStore = fc
  .tuple(
    fc.nat({ max: SEEDS.length - 1 }),
    fc.array(fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'truncate'), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([i, edits]) => {
    let b = Buffer.from(SEEDS[i]!);
    for (const [op, at, bytes] of edits) {
      const p = b.length === 0 ? 0 : at % b.length;
      if (op === 'replace') b = Buffer.concat([b.subarray(0, p), Buffer.from(bytes), b.subarray(p + bytes.length)]);
      else if (op === 'insert') b = Buffer.concat([b.subarray(0, p), Buffer.from(bytes), b.subarray(p)]);
      else if (op === 'delete') b = Buffer.concat([b.subarray(0, p), b.subarray(p + bytes.length)]);
      else b = b.subarray(0, p);
    }
    return b;
  });

test('mutated trust and key stores end in a result or a CONFIG_* error, quickly', () => {
  const path = join(dir, 'store');
  const password = new Secret('changeit');
  const out = fc.check(
    fc.property(mutatedStore, fc.boolean(), (data, withPassword) => {
      writeFileSync(path, data);
      for (const read of [() => readTrustStore(path, withPassword ? password : undefined), () => readKeyStore(path, withPassword ? password : undefined)]) {
        const started = process.cpuUsage();
        try {
          read();
        } catch (e) {
          if (!(e instanceof RestSqlError) || !/^CONFIG_/.test(e.code)) throw new Error(`unclassified ${(e as Error)?.name}: ${(e as Error)?.message} for ${data.toString('base64').slice(0, 200)}`);
        }
        const used = process.cpuUsage(started);
        const ms = (used.user + used.system) / 1000;
        if (ms > PER_INPUT_MS) throw new Error(`took ${Math.round(ms)} ms of CPU for ${data.toString('base64').slice(0, 200)}`);
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  if (out.failed) {
    const why = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(`fuzz failure (replay with RESTSQL_FC_SEED=${SEED}): ${why}`);
  }
});
