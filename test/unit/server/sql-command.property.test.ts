import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RestSqlError } from '../../../src/errors/index.js';
import { classify } from '../../../src/server/sql/command.js';

/**
 * classify on random word salad that starts like the commands the server answers: it returns a
 * command or throws a RestSqlError, never anything else (a TypeError would reach the client as an
 * internal error), and a syntax error points inside the statement or one past its end.
 */

const SEED = 7;

const keyword = fc.constantFrom('SET', 'RESET', 'SHOW', 'BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'DEALLOCATE', 'DISCARD', 'COPY', 'LISTEN', 'UNLISTEN', 'NOTIFY', 'PREPARE');
const piece = fc.oneof(
  fc.constantFrom('TO', 'FROM', 'STDOUT', 'STDIN', 'WITH', 'CSV', 'HEADER', 'FORMAT', 'TRANSACTION', 'ISOLATION', 'LEVEL', 'READ', 'ONLY', 'WRITE', 'NOT', 'DEFERRABLE', 'LOCAL', 'SESSION', 'TIME', 'ZONE', 'ALL', 'DEFAULT', 'AND', 'CHAIN', 'NO', 'FORCE', 'QUOTE', 'NULL', 'DELIMITER', 'BINARY', 'WORK', 'SAVEPOINT', 'AS', 'CHARACTERISTICS', 'NAMES', 'SCHEMA', 'ROLE', 'INTERVAL', 'x', 'x.y', 'datestyle', 'timezone'),
  fc.constantFrom('=', ',', '(', ')', '*', '-', '+', '.', ';', '::'),
  fc.constantFrom("'a'", "'ISO, DMY'", "E'\\t'", '$$x$$', '"Q"', '1', '-2.5', '0x1', "B'1'", '$1'),
);
const statement = fc.tuple(keyword, fc.array(piece, { maxLength: 8 }), fc.constantFrom(' ', '  ', '\n', ' /* c */ ')).map(([k, rest, gap]) => [k, ...rest].join(gap));

test('classify returns a command or throws a RestSqlError with a position inside the statement', () => {
  const property = fc.property(statement, (sql) => {
    try {
      const c = classify(sql);
      assert.equal(typeof c.kind, 'string');
    } catch (e) {
      assert.ok(e instanceof RestSqlError, `${sql}: ${String(e)}`);
      const position = e.details.position;
      if (position !== undefined) {
        assert.equal(typeof position, 'number');
        assert.ok((position as number) >= 1 && (position as number) <= [...sql].length + 1, `${sql}: position ${String(position)}`);
      }
    }
  });
  try {
    fc.assert(property, { seed: SEED, numRuns: 300 });
  } catch (e) {
    console.error(`property failed with seed ${SEED}`);
    throw e;
  }
});
