import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTION_CATALOG, type OptionSpec } from '../../../src/options/catalog.js';
import { behaviourText, inertOptionNotices, refusedOption } from '../../../src/options/effects.js';
import { loadOptions } from '../../../src/options/load.js';
import { optionsMarkdown, optionsText } from '../../../src/options/docs.js';
import { RestSqlError } from '../../../src/errors/index.js';

const CATALOG = OPTION_CATALOG as readonly OptionSpec[];

test('every option name and alias is unique, case-insensitively, across the whole catalog', () => {
  const seen = new Map<string, string>();
  for (const spec of CATALOG) {
    for (const n of [spec.name, ...spec.aliases]) {
      const other = seen.get(n.toLowerCase());
      assert.equal(other, undefined, `${n} (${spec.name}) is also a name of ${other}`);
      seen.set(n.toLowerCase(), spec.name);
    }
  }
  const keys = CATALOG.map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length, 'internal keys are unique');
});

test('the options issue 15 names are all recognised, with the vendor names DSNs carry', () => {
  const names = new Set(CATALOG.flatMap((s) => [s.name, ...s.aliases].map((n) => n.toLowerCase())));
  const expected =
    'DataSourceName dsn Description desc Driver HostName host PortNumber port RestConfigFile rcf Config RestSamplePath rsp Sample ServerName ' +
    'AuthenticationMethod am AuthHeader ah AuthParam ap Password pwd User SecurityToken st ClientID cid OAuthCode oac TokenURI o2tu ClientCredentialsMode clcm ' +
    'LoginTimeout lt WSTimeout wst WSRetryCount wsrc WSFetchSize wsfs WSPoolSize wsps FetchSize TransactionMode tm LogConfigFile SpyAttributes QueryTimeout ' +
    'InitializationString ConvertNull ImportStatementPool InsensitiveResultSetBufferSize MaxPooledStatements ProxyHost ProxyPort ProxyUser ProxyPassword SQLEngineMode JVMArgs JVMClasspath';
  for (const n of expected.split(' ')) assert.ok(names.has(n.toLowerCase()), n);
});

test('every option accepted without effect says what it did in the driver and why it is moot', () => {
  for (const spec of CATALOG) {
    const e = spec.effect;
    if (!e) continue;
    if (e.kind === 'none') {
      assert.match(e.driver, /^[a-z]/, `${spec.name}: driver is a clause ("sets ...")`);
      assert.doesNotMatch(e.driver, /\.$/, `${spec.name}: driver clause has no full stop`);
    }
    assert.match(e.why, /^[A-Za-z].*\.$/, `${spec.name}: why is a sentence`);
    assert.ok(!behaviourText(spec).includes('\n'), spec.name);
  }
});

test('a notice for each option without effect given a value other than its default, none at the default or for labels', () => {
  const env = {};
  const atDefault = loadOptions({ connect: 'rsp=https://h/x;WSPoolSize=1;TransactionMode=Full;ApplicationUsingThreads=true;FetchSize=100;Description=My API;Driver={DataDirect 8.0 Autonomous REST Connector}', env });
  assert.deepEqual(inertOptionNotices(atDefault), []);
  const changed = loadOptions({ connect: 'rsp=https://h/x;wsps=4;fs=0;aut=false;LogConfigFile=/etc/log.xml;SpyAttributes=(log=(file)spy.log)', env });
  const notices = inertOptionNotices(changed);
  assert.equal(notices.length, 5, notices.join('\n'));
  for (const [name, what] of [['WSPoolSize', /web service sessions/], ['FetchSize', /result rows/], ['ApplicationUsingThreads', /several threads/], ['LogConfigFile', /logging/], ['SpyAttributes', /DataDirect Spy/]] as const) {
    const line = notices.find((n) => n.startsWith(`${name} has no effect in restsql: in DataDirect's driver it `));
    assert.ok(line, name);
    assert.match(line, what);
    assert.ok(!line.includes('\n'), 'one line');
  }
  assert.ok(!notices.some((n) => n.includes('spy.log') || n.includes('/etc/log.xml')), 'values are not echoed');
});

test('a refused option is an error naming it, its source and the reason', () => {
  const spec: OptionSpec = { key: 'x', name: 'SomeOption', aliases: [], kind: 'string', group: 'Connection', doc: 'd', effect: { kind: 'refused', why: 'It would change results silently.' } };
  const e = refusedOption(spec, 'connection string, position 3');
  assert.ok(e instanceof RestSqlError);
  assert.equal(e.code, 'CONFIG_UNSUPPORTED');
  assert.equal(e.exitStatus, 2);
  assert.match(e.message, /^SomeOption \(connection string, position 3\) is not supported: It would change results silently\.$/);
  assert.match(e.hint ?? '', /Remove SomeOption/);
  assert.match(behaviourText(spec), /^refused: /);
});

test('both renderings show each option\'s behaviour; docs/options.md lists every other name', () => {
  const md = optionsMarkdown();
  const text = optionsText();
  for (const spec of CATALOG) {
    const row = md.split('\n').find((l) => l.startsWith(`| \`${spec.name}\` |`));
    assert.ok(row?.includes(behaviourText(spec).replaceAll('|', '\\|')), spec.name);
    if (spec.effect) assert.ok(text.includes(`restsql: ${behaviourText(spec)}`), spec.name);
    for (const a of spec.aliases) assert.ok(md.includes(`| \`${a}\` | \`${spec.name}\` |`), `${a} -> ${spec.name}`);
  }
});
