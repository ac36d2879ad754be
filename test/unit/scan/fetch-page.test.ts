/**
 * One page through fetchPage with an HTTP client stub (no network): where an XML body has no
 * records. XML has no empty list: an empty collection never holds the repeated element, so the
 * records' parent element being there is 0 rows, while a body without it is DATA_NO_RECORDS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRestSqlError } from '../../../src/errors/index.js';
import type { HttpClient, HttpResponse } from '../../../src/http/contract.js';
import { inferTable } from '../../../src/model/sampler.js';
import type { EndpointDef } from '../../../src/model/types.js';
import { fetchPage } from '../../../src/scan/fetch-page.js';
import type { TableRequest } from '../../../src/scan/request-plan.js';

const URL = 'http://127.0.0.1:1/people';

function client(body: string, type: string): HttpClient {
  const response: HttpResponse = { url: URL, status: 200, headers: { 'content-type': type }, body: Buffer.from(body) };
  return {
    send: async () => response,
    getJson: async () => {
      throw new Error('not used');
    },
    close: async () => {},
  };
}

const table = inferTable('people', [{ id: 1, name: 'a' }], { qualifyNames: 0 });
const root = ['people', 'person'];
const endpoint = (format?: 'xml'): EndpointDef => ({ url: URL, method: 'GET', jsonRoot: root, table, ...(format ? { format: { format } } : {}) });
const req: TableRequest = { url: URL, method: 'GET', headers: {}, jsonRoot: root, virtuals: {} };

test('XML: an empty collection is a first page of 0 records, whatever form the empty element takes', async () => {
  for (const body of ['<people/>', '<people>\n  </people>', '<people count="0"/>', '<?xml version="1.0"?><p:people xmlns:p="urn:p"></p:people>', '<people><meta>x</meta></people>']) {
    for (const format of [undefined, 'xml'] as const) {
      const page = await fetchPage(client(body, 'application/xml'), endpoint(format), req, { params: {} }, true);
      assert.deepEqual(page.records, [], body);
    }
  }
  const one = await fetchPage(client('<people><person><id>1</id></person></people>', 'application/xml'), endpoint('xml'), req, { params: {} }, true);
  assert.equal(one.records.length, 1);
});

test('a body without the records\' parent (another document element; JSON without the member) is DATA_NO_RECORDS', async () => {
  const cases: [string, string][] = [
    ['<error>gone</error>', 'application/xml'],
    ['{"people": null}', 'application/json'],
    ['{"other": []}', 'application/json'],
  ];
  for (const [body, type] of cases) {
    await assert.rejects(
      fetchPage(client(body, type), endpoint(), req, { params: {} }, true),
      (e: unknown) => isRestSqlError(e) && e.code === 'DATA_NO_RECORDS' && /no 'people\.person' member/.test(e.message),
      body,
    );
  }
});
