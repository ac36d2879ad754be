import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MalformedJsonError, locateJsonValue, locateJsonValues, sliceChunks } from '../../../src/extract/raw-json.js';
import { valueAt } from '../../../src/model/json-root.js';

const at = (text: string, path: string[]) => {
  const buf = Buffer.from(text);
  const r = locateJsonValue(buf, path);
  return r && buf.toString('utf8', r.start, r.end);
};

test('the value at a path is found as raw bytes, wherever the member sits', () => {
  assert.equal(at('{"total": 3, "data": [1, 2, 3]}', ['data']), '[1, 2, 3]');
  assert.equal(at('{"data" : [{"a": "]}"}] , "total": 3}', ['data']), '[{"a": "]}"}]');
  assert.equal(at(' {"r": {"x": "a\\"}", "items": {"id": 1}}} ', ['r', 'items']), '{"id": 1}');
  assert.equal(at('\ufeff[1]', []), '[1]');
  assert.equal(at('{"n": -1.5e3, "t": true}', ['n']), '-1.5e3');
  assert.equal(at('{"data": [1], "data": [2]}', ['data']), '[2]', 'the last of repeated keys, as JSON.parse');
  assert.equal(at('{"d\\u0061ta": [7]}', ['data']), '[7]', 'escaped keys are decoded');
  assert.equal(at('{"é": [1]}', ['é']), '[1]');
});

test('a missing member, or a non-object on the way, is undefined (as valueAt)', () => {
  assert.equal(at('{"total": 0}', ['data']), undefined);
  assert.equal(at('{"data": null}', ['data']), 'null');
  assert.equal(at('{"r": [1]}', ['r', 'items']), undefined);
  assert.equal(at('null', ['data']), undefined);
  assert.equal(at('{}', ['data']), undefined);
});

test('what is not JSON is refused with the offset where that showed', () => {
  for (const text of ['<html>oops</html>', '', '   ', '{"data": [1, 2}', '{"data" [1]}', '{"a": "unterminated}', '{"a": 1 "b": 2}', '{data: 1}']) {
    assert.throws(() => locateJsonValue(Buffer.from(text), ['data']), MalformedJsonError, JSON.stringify(text));
  }
});

test('property: the located bytes parse to what JSON.parse finds at the path', () => {
  const key = fc.constantFrom('data', 'a', 'b', 'da"ta', 'x\\y', 'é');
  const json = fc.jsonValue({ maxDepth: 3 });
  const doc = fc.dictionary(key, fc.oneof(json, fc.dictionary(key, json, { maxKeys: 3 })), { maxKeys: 4 });
  fc.assert(
    fc.property(doc, fc.array(key, { minLength: 1, maxLength: 2 }), fc.boolean(), (d, path, pretty) => {
      const text = JSON.stringify(d, null, pretty ? 2 : undefined);
      const expected = valueAt(JSON.parse(text), path);
      const got = at(text, path);
      if (expected === undefined) assert.equal(got, undefined);
      else assert.deepEqual(JSON.parse(got!), expected);
    }),
    { numRuns: 500 },
  );
});

test('property: a body in pieces (any split) gives the same range, and sliceChunks its bytes', () => {
  const doc = fc.dictionary(fc.constantFrom('data', 'a', 'b', 'x"y'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
  fc.assert(
    fc.property(doc, fc.array(fc.nat(), { maxLength: 6 }), (d, cuts) => {
      const buf = Buffer.from(JSON.stringify(d));
      const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...points].map((p, i, all) => buf.subarray(p, all[i + 1] ?? buf.length));
      const whole = locateJsonValue(buf, ['data']);
      assert.deepEqual(locateJsonValue(chunks, ['data']), whole);
      if (whole) assert.equal(Buffer.concat(sliceChunks(chunks, whole)).toString(), buf.toString('utf8', whole.start, whole.end));
    }),
    { numRuns: 500 },
  );
});

test('a split anywhere, inside strings and escapes too, finds the same range', () => {
  const buf = Buffer.from('{"k": "\\\\", "data": [{"s": "a\\"]\\\\"}, "\\u005d"], "z": 1}');
  const whole = locateJsonValue(buf, ['data'])!;
  assert.equal(buf.toString('utf8', whole.start, whole.end), '[{"s": "a\\"]\\\\"}, "\\u005d"]');
  for (let i = 0; i <= buf.length; i++) {
    for (let k = i; k <= buf.length; k++) {
      assert.deepEqual(locateJsonValue([buf.subarray(0, i), buf.subarray(i, k), buf.subarray(k)], ['data']), whole, `split at ${i}, ${k}`);
    }
  }
});

test('property: several paths in one pass give what each finds alone, with element counts for arrays', () => {
  const key = fc.constantFrom('data', 'a', 'b', 'next');
  const json = fc.jsonValue({ maxDepth: 3 });
  const doc = fc.dictionary(key, fc.oneof(json, fc.dictionary(key, json, { maxKeys: 3 })), { maxKeys: 4 });
  const path = fc.array(key, { minLength: 0, maxLength: 2 });
  fc.assert(
    fc.property(doc, fc.array(path, { minLength: 1, maxLength: 4 }), fc.boolean(), (d, paths, pretty) => {
      const buf = Buffer.from(JSON.stringify(d, null, pretty ? 1 : undefined));
      const all = locateJsonValues(buf, paths);
      paths.forEach((p, i) => {
        const expected = valueAt(JSON.parse(buf.toString()), p);
        assert.deepEqual(all[i] && { start: all[i]!.start, end: all[i]!.end }, locateJsonValue(buf, p) && { start: locateJsonValue(buf, p)!.start, end: locateJsonValue(buf, p)!.end });
        if (expected === undefined) return assert.equal(all[i], undefined);
        assert.deepEqual(JSON.parse(buf.toString('utf8', all[i]!.start, all[i]!.end)), expected);
        assert.equal(all[i]!.count, Array.isArray(expected) ? expected.length : undefined, 'element count');
      });
    }),
    { numRuns: 500 },
  );
});

test('element counts: empty arrays with space, nested commas and strings with commas do not count', () => {
  const count = (text: string) => locateJsonValue(Buffer.from(text), ['data'])?.count;
  assert.equal(count('{"data": [ \n ]}'), 0);
  assert.equal(count('{"data": [{"a": [1, 2], "b": "x,y"}]}'), 1);
  assert.equal(count('{"data": [1, [2, 3], {"c": 4, "d": 5}, "6,7"]}'), 4);
  assert.equal(count('{"data": {"a": 1}}'), undefined);
});
