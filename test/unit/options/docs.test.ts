import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { optionsMarkdown, optionsText } from '../../../src/options/docs.js';
import { OPTION_CATALOG } from '../../../src/options/catalog.js';
import { ROOT } from '../../support/cli.js';

test('docs/options.md is generated from the catalog and up to date (run `npm run docs`)', () => {
  const onDisk = readFileSync(join(ROOT, 'docs', 'options.md'), 'utf8');
  assert.equal(onDisk, optionsMarkdown());
});

test('every catalog option is documented in both renderings', () => {
  const md = optionsMarkdown();
  const text = optionsText();
  for (const o of OPTION_CATALOG) {
    assert.ok(md.includes(`\`${o.name}\``), o.name);
    assert.ok(text.includes(o.name), o.name);
  }
});

test('the options the foundation issue lists are all in the catalog', () => {
  const names = new Set<string>(OPTION_CATALOG.map((o) => o.name));
  for (const n of 'HostName PortNumber RestConfigFile RestSamplePath Table AuthenticationMethod User Password AuthHeader AuthParam SecurityToken AccessToken RefreshToken ClientID ClientSecret AuthURI TokenURI RedirectURI Scope OAuthCode ClientCredentialsMode EnableLoginPrompt HealthURI CreateMap QualifyNormalizedNames SamplingFailureTolerance SQLEngineMode WSTimeout WSRetryCount CustomAuthParams ProxyHost ProxyPort ProxyUser ProxyPassword'.split(' ')) {
    assert.ok(names.has(n), n);
  }
});
