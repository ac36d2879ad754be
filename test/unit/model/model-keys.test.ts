import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRestSqlError } from '../../../src/index.js';
import { parseModelFile } from '../../../src/model/model-file.js';
import { withModelKeys } from '../../../src/model/model-keys-docs.js';
import { MODEL_KEYS, keysAt, modelKey } from '../../../src/model/model-keys.js';
import { readModelSettings } from '../../../src/model/model-settings.js';
import { mapTableName } from '../../../src/model/naming.js';
import { ROOT } from '../../support/cli.js';

test('docs/model-file.md holds the generated key reference and it is up to date (run `npm run docs`)', () => {
  const page = readFileSync(join(ROOT, 'docs', 'model-file.md'), 'utf8');
  assert.equal(page, withModelKeys(page));
  for (const k of MODEL_KEYS) assert.ok(page.includes(`\`${k.key}\``), k.key);
});

test('every ignored or refused key says why, and no key is listed twice for a place', () => {
  for (const k of MODEL_KEYS) {
    if (k.behaviour !== 'supported') assert.ok(k.why && /^(Accepted without effect|Not supported yet|Not read)/.test(k.why), k.key);
    assert.ok(!k.why || !/issue \d/i.test(k.why), `${k.key}: a user-facing reason, not an issue number`);
    for (const place of k.places) for (const name of [k.key, ...(k.aliases ?? [])]) assert.equal(modelKey(place, name.toUpperCase()), k, `${name} at ${place}`);
  }
});

const where = (key: string, value: string) => {
  const table = `"t": {"#path": "http://127.0.0.1:9/t", ${key === 'table' ? value : ''} "id": ${key === 'flag' ? `"Integer,${value}"` : key === 'column' ? `{"#type": "Integer", ${value}}` : '"Integer"'}}`;
  return key === 'file' ? `{\n  ${value},\n  ${table}\n}` : `{\n  ${table}\n}`;
};

test('the reader follows the catalog: refused keys stop it naming file:line:column, ignored ones become notices, supported ones are read', () => {
  for (const k of MODEL_KEYS) {
    for (const place of k.places.filter((p) => p !== 'rule')) {
      const value = place === 'flag' ? k.key : k.key === 'routines' ? '"routines": []' : `"${k.key}": ${k.key === '#options' || k.key === '$ref' ? '{}' : k.key === '#authentication' || k.key === '#reauthentication' || k.key === '#http' ? '[]' : k.group === 'Paging' ? '1' : k.key === '#headers' || k.key === '#post' ? '{}' : k.key === '#hostname' || k.key === '#tokenUri' || k.key === '#authUri' || k.key === '#redirectUri' ? '"http://127.0.0.1:9"' : '"x"'}${place === 'table' ? ',' : ''}`;
      const text = where(place, value);
      if (k.behaviour === 'refused') {
        assert.throws(() => parseModelFile(text, 'k.rest', { qualifyNames: 0 }), (e: unknown) => isRestSqlError(e) && e.code === 'CONFIG_UNSUPPORTED' && /^k\.rest:\d+:\d+: /.test(e.message) && e.message.includes(k.why!), `${k.key} at ${place}`);
      } else if (k.behaviour === 'ignored') {
        const parsed = parseModelFile(text, 'k.rest', { qualifyNames: 0 });
        assert.equal(parsed.notices.length, 1, `${k.key} at ${place}`);
        assert.match(parsed.notices[0]!, /^k\.rest:\d+:\d+: /);
      }
    }
  }
});

test('an unknown key suggests the catalog\'s keys for its place', () => {
  assert.throws(() => parseModelFile('{"t": {"#path": "http://127.0.0.1:9/t", "#firstrows": 1}}', 'k.rest', { qualifyNames: 0 }), (e: unknown) => isRestSqlError(e) && /Did you mean #firstRow/i.test(e.message));
  assert.ok(keysAt('table').includes('#path') && !keysAt('table').includes('routines'));
});

test('model settings: OAuth entries and #options with their places; {"default": ...} values; a non-scalar is an error', () => {
  const text = '{\n  "#tokenUri": "http://127.0.0.1:9/token",\n  "#options": {"Scope": "read", "WSTimeout": {"default": 30, "choices": "30,60"}, "UsePKCE": true},\n  "#logoffUri": "http://x",\n  "t": "http://127.0.0.1:9/t"\n}';
  assert.deepEqual(readModelSettings(text, 'm.rest'), [
    { key: 'TokenURI', value: 'http://127.0.0.1:9/token', source: 'm.rest:2:3' },
    { key: 'Scope', value: 'read', source: 'm.rest:3:16' },
    { key: 'WSTimeout', value: '30', source: 'm.rest:3:33' },
    { key: 'UsePKCE', value: 'true', source: 'm.rest:3:83' },
  ]);
  assert.throws(() => readModelSettings('{"#options": {"Scope": ["a"]}}', 'm.rest'), (e: unknown) => isRestSqlError(e) && e.code === 'MODEL_INVALID' && e.message.startsWith('m.rest:1:24:'));
  assert.deepEqual(readModelSettings('{ not json', 'm.rest'), []);
});

test('map tables: a plain field keeps the array rules; a field with spaces and parentheses is <parent>_<compacted>', () => {
  const place = (field: string) => ({ root: 'StockDaily', parent: 'StockDaily', pathFromRoot: [field] });
  assert.equal(mapTableName(0, place('rates')), 'rates');
  assert.equal(mapTableName(1, place('rates')), 'StockDaily_rates');
  assert.equal(mapTableName(0, place('Time Series (Daily)')), 'StockDaily_TimeSeries');
  assert.equal(mapTableName(0, place('Time Series (5min)')), 'StockDaily_TimeSeries');
  assert.equal(mapTableName(1, place('Weekly Time Series')), 'StockDaily_WeeklyTimeSeries');
  assert.equal(mapTableName(2, { root: 'r', parent: 'c', pathFromRoot: ['Meta Data', 'Time Series (1min)'] }), 'r_MetaData_TimeSeries');
  assert.equal(mapTableName(0, place('(x)')), 'StockDaily_x');
});
