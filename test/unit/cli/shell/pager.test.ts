import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { needsPager, pagerCommand } from '../../../../src/cli/shell/pager.js';
import { tempDir } from '../../../support/temp-dir.js';

test('pager: $PAGER wins, empty turns it off, else less -FRX when less is on PATH, else none', (t) => {
  const withLess = tempDir(t);
  writeFileSync(join(withLess, 'less'), '#!/bin/sh\n');
  chmodSync(join(withLess, 'less'), 0o755);
  const without = tempDir(t);
  assert.equal(pagerCommand({ PAGER: 'more -s', PATH: withLess }), 'more -s');
  assert.equal(pagerCommand({ PAGER: '', PATH: withLess }), undefined);
  assert.equal(pagerCommand({ PATH: withLess }), 'less -FRX');
  assert.equal(pagerCommand({ PATH: without }), undefined);
});

test('pager: only text with more lines than the terminal has rows (one kept for the prompt)', () => {
  assert.equal(needsPager('a\nb\nc\n', 4), false);
  assert.equal(needsPager('a\nb\nc\nd\n', 4), true);
  assert.equal(needsPager('a\n'.repeat(100), undefined), false);
  assert.equal(needsPager('a\n'.repeat(100), 0), false);
});
