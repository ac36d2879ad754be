/**
 * `npm run docs`: rewrites the generated block of docs/model-file.md from the model-key catalog
 * (the rest of the page is hand-written). test/unit/model/model-keys.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withModelKeys } from '../../src/model/model-keys-docs.js';
import { ROOT } from './cli.js';

const page = join(ROOT, 'docs', 'model-file.md');
writeFileSync(page, withModelKeys(readFileSync(page, 'utf8')));
