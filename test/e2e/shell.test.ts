/**
 * `restsql shell` through the real CLI against a loopback API that counts its requests: driven by
 * a script on standard input (no terminal), and on a pseudo-terminal (util-linux `script`) for
 * prompts, tab completion, the pager, history and Ctrl-C cancelling a stalled fetch.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, runCli } from '../support/cli.js';
import { within } from '../support/deadline.js';
import { startHttpServer, type Listening } from '../support/loopback-server.js';
import { tempDir } from '../support/temp-dir.js';

const USERS = [
  { id: 1, name: 'Ada', team_id: 10 },
  { id: 2, name: 'Grace', team_id: 20 },
  { id: 3, name: 'Edsger', team_id: 10 },
  { id: 4, name: 'Barbara', team_id: 20 },
  { id: 5, name: 'Donald', team_id: 10 },
];
const TEAMS = [
  { id: 10, name: 'compilers' },
  { id: 20, name: 'languages' },
];
const SECRET = 'tok-shell-5ecret';

const dir = tempDir(after, 'restsql-shell-');
let api: Listening<import('node:http').Server>;
/** Requests received, by path with query. */
const requests: string[] = [];
/** /stall requests: whether the client has closed each one. */
const stalls: { closed: boolean }[] = [];
let connectFile: string;

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

before(async () => {
  api = await startHttpServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '/');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/users') {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return send(res, USERS.slice(offset, offset + limit));
    }
    if (url.pathname === '/teams') return send(res, TEAMS);
    if (url.pathname === '/stall') {
      // Never answers: only the client giving up ends it.
      const s = { closed: false };
      stalls.push(s);
      res.on('close', () => (s.closed = true));
      return;
    }
    res.writeHead(404).end();
  });
  const model = join(dir, 'api.rest');
  writeFileSync(
    model,
    JSON.stringify({
      '#hostname': api.url,
      users: { '#path': '/users', '#maximumPageSize': 2, '#pageSizeParameter': 'limit', '#rowOffsetParameter': 'offset', id: 'Integer,#key', name: 'VarChar', team_id: 'Integer' },
      teams: { '#path': '/teams', id: 'Integer,#key', name: 'VarChar' },
      stall: { '#path': '/stall', id: 'Integer,#key' },
    }),
  );
  connectFile = join(dir, 'conn');
  writeFileSync(connectFile, `RestConfigFile=${model};AuthenticationMethod=HTTPHeader;AuthHeader=X-Api-Key;SecurityToken=${SECRET}\n`, { mode: 0o600 });
});
after(() => api?.close());

const JOIN = 'select u.name, t.name as team from users u join teams t on u.team_id = t.id order by u.id;';

function countBy(list: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of list) out[x] = (out[x] ?? 0) + 1;
  return out;
}

test('a script on stdin: \\dt, \\d, \\x, a join run twice fetches each page once, an error, \\refresh refetches, \\q', async () => {
  requests.length = 0;
  const script = [
    '\\dt',
    '\\d users',
    '\\x',
    "select 7 as seven, 'ok' as word;",
    '\\x',
    JOIN,
    JOIN,
    'select * from nope;',
    'select 42 as answer;',
    '\\refresh',
    'select count(*)',
    '  as n from users u join teams t on u.team_id = t.id;',
    '\\bogus',
    "select 'x\\y' as s; \\format csv",
    'select 1 as a, 2 as b;',
    '\\q',
    "select 'not run' as z;",
  ].join('\n');
  const r = await runCli(['shell', '--connect-file', connectFile, '--continue-on-error'], { stdin: script + '\n' });
  assert.equal(r.code, 0, r.stderr);
  // \dt and \d users
  assert.match(r.stdout, /^name +\| parent +\| columns \| endpoint/m);
  assert.match(r.stdout, /^users +\| NULL +\| +3 \| http:\/\/127\.0\.0\.1:\d+\/users/m);
  assert.match(r.stdout, /^column +\| type +\| key +\| references/m);
  assert.match(r.stdout, /^id +\| INTEGER +\| true +\| NULL/m);
  assert.match(r.stdout, /^Endpoint: http:\/\/127\.0\.0\.1:\d+\/users$/m);
  assert.match(r.stderr, /Expanded display is on\.\nExpanded display is off\.\n/);
  // Expanded display: one block per record, a name | value line per column.
  assert.match(r.stdout, /^-\[ RECORD 1 \]-*\nseven +\| 7\nword +\| ok\n/m);
  // The join, twice, with the same rows.
  const joined = [...r.stdout.matchAll(/^name +\| team\n(?:.*\n){6}\(5 rows\)$/gm)].map((m) => m[0]);
  assert.equal(joined.length, 2, r.stdout);
  assert.equal(joined[0], joined[1]);
  assert.match(joined[0]!, /^Barbara +\| languages$/m);
  // The error is reported, and the next statement runs.
  assert.match(r.stderr, /^restsql: error\[QUERY_UNKNOWN_TABLE\]: .*nope/m);
  assert.match(r.stdout, /^answer\n-+\n *42\n\(1 row\)$/m);
  assert.match(r.stderr, /Cached tables dropped/);
  assert.match(r.stdout, /^n\n-\n5\n\(1 row\)$/m);
  assert.match(r.stderr, /^restsql: error\[USAGE\]: Unknown meta-command \\bogus\./m);
  assert.match(r.stdout, /^s\n-+\nx\\y\n\(1 row\)\n/m, 'the statement before a meta-command on its line runs first, in the format before it');
  assert.match(r.stdout, /^a,b\r?\n1,2\r?\n/m);
  assert.doesNotMatch(r.stdout, /not run/);
  // Each page once for both joins, then once more after \refresh.
  assert.deepEqual(countBy(requests), { '/users?limit=2&offset=0': 2, '/users?limit=2&offset=2': 2, '/users?limit=2&offset=4': 2, '/teams': 2 });
  // No prompt, banner or terminal control on a pipe.
  assert.doesNotMatch(r.stdout, /restsql[=-]> |\x1b/);
});

test('a script stops at its first error with status 1; a last statement without ; runs at the end', async () => {
  const stopped = await runCli(['shell', '--connect-file', connectFile, '-f', 'csv'], { stdin: 'select 1 as a;\nselect * from nope;\nselect 2 as b;\n' });
  assert.equal(stopped.code, 1);
  assert.match(stopped.stdout, /^a\r?\n1\r?\n$/);
  assert.match(stopped.stderr, /error\[QUERY_UNKNOWN_TABLE\]/);
  const bad = await runCli(['shell', '--connect-file', connectFile], { stdin: '\\x sideways\nselect 2 as b;\n' });
  assert.equal(bad.code, 2, 'a bad meta-command is a usage error');
  assert.equal(bad.stdout, '');
  const last = await runCli(['shell', '--connect-file', connectFile, '-f', 'json'], { stdin: 'select 3 as c' });
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(JSON.parse(last.stdout), [{ c: 3 }]);
});

test('\\refresh inside a transaction is refused, and the transaction goes on', async () => {
  const r = await runCli(['shell', '--connect-file', connectFile, '--continue-on-error', '-f', 'csv'], { stdin: 'begin transaction;\nselect count(*) as n from teams;\n\\refresh\nselect count(*) as m from teams;\nrollback;\n\\refresh\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^restsql: error\[CACHE_DROP_IN_TRANSACTION\]: The cached tables cannot be dropped inside a transaction/m);
  assert.match(r.stderr, /^hint: COMMIT or ROLLBACK first/m);
  assert.match(r.stdout, /^m\r?\n2\r?\n/m);
  assert.equal([...r.stderr.matchAll(/Cached tables dropped/g)].length, 1, 'after ROLLBACK it drops them');
});

test('\\o sends results to a file, \\i runs a file (its meta-commands too), \\timing', async () => {
  const include = join(dir, 'inc.sql');
  writeFileSync(include, "select 7 as seven;\n\\format json\nselect name from teams\n  order by id -- last, without ;\n");
  const out = join(dir, 'out.txt');
  const r = await runCli(['shell', '--connect-file', connectFile], { stdin: `\\o ${out}\n\\i ${include}\n\\o\n\\timing on\nselect 9 as nine;\n\\i ${join(dir, 'missing.sql')}\n` });
  assert.equal(r.code, 2, 'the missing file stops the script');
  assert.match(r.stderr, /error\[USAGE\]: Cannot read .*missing\.sql: ENOENT/);
  const file = readFileSync(out, 'utf8');
  assert.match(file, /^seven\n-+\n *7\n\(1 row\)\n/);
  assert.deepEqual(JSON.parse(file.slice(file.indexOf('['))), [{ name: 'compilers' }, { name: 'languages' }]);
  assert.match(r.stdout, /^\[\n\{"nine":9\}\n\]\nTime: \d+\.\d{3} ms\n$/);
});

/** `restsql shell` with a piped stdin (a script): the child, what it printed so far, and its exit status. */
function scriptShell(flags: string[], home: string): { child: ChildProcess & { stdin: NodeJS.WritableStream }; out: { stdout: string; stderr: string }; exited: Promise<number> } {
  const child = spawn(process.execPath, [BIN, 'shell', '--connect-file', connectFile, ...flags], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, RESTSQL_HOME: join(dir, home) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, out, exited };
}

/**
 * A script that stalls on /stall: SIGINT once the stalled page is requested, then `rest` and the
 * end of input. The exit status and what the shell printed.
 */
async function interruptedScript(flags: string[], home: string, rest: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { child, out, exited } = scriptShell([...flags, '-f', 'csv'], home);
  try {
    const stalled = stalls.length;
    child.stdin.write('select * from stall;\n');
    await until('the shell fetched /stall', () => stalls.length > stalled);
    child.kill('SIGINT');
    await until('the stalled request was closed', () => stalls[stalls.length - 1]!.closed);
    child.stdin.end(rest);
    return { code: await within(30_000, 'the shell ended', exited), ...out };
  } finally {
    child.kill('SIGKILL');
  }
}

test('SIGINT while a script runs a stalled fetch cancels that statement; with --continue-on-error the script goes on', async () => {
  const r = await interruptedScript(['--continue-on-error'], 'home-sigint', 'select 6 as six;\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^restsql: error\[ABORTED\]: The statement was cancelled\./m);
  assert.match(r.stdout, /^six\r?\n6\r?\n$/);
});

test('SIGINT while a script runs a stalled fetch, without --continue-on-error: the statement is cancelled and the script stops with 130', async () => {
  const r = await interruptedScript([], 'home-sigint-stop', 'select 6 as six;\n');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /^restsql: error\[ABORTED\]: The statement was cancelled\./m);
  assert.equal(r.stdout, '', 'the statement after the cancelled one did not run');
});

test('a script waiting for input stops on SIGINT (130) and SIGTERM (143)', async () => {
  for (const [sig, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const { child, out, exited } = scriptShell([], 'home-stop');
    try {
      child.stdin.write('select 5 as five;\n');
      await until('the first statement ran', () => /\(1 row\)/.test(out.stdout));
      child.kill(sig);
      assert.equal(await within(30_000, `the shell stopped on ${sig}`, exited), status, out.stderr);
    } finally {
      child.kill('SIGKILL');
    }
    assert.match(out.stderr, sig === 'SIGINT' ? /restsql: cancelled/ : /restsql: stopped by SIGTERM/);
  }
});

/** The CLI on a pseudo-terminal (util-linux `script`): what it printed so far, and input typed to it. */
class Terminal {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number>;

  constructor(command: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }

  type(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Waits until the output after `from` matches `re`; returns the index past the match. */
  async waitFor(re: RegExp, from = 0, ms = 30_000): Promise<number> {
    return within(ms, () => `waiting for ${re} in ${JSON.stringify(this.output.slice(from))}`, new Promise<number>((resolve) => {
      const check = () => {
        const m = re.exec(this.output.slice(from));
        if (m) resolve(from + m.index + m[0].length);
        else setTimeout(check, 20);
      };
      check();
    }));
  }
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  await within(ms, what, new Promise<void>((resolve) => {
    const check = () => (cond() ? resolve() : setTimeout(check, 20));
    check();
  }));
}

test('on a terminal: prompts, multi-line, tab completion, pager, history, Ctrl-C cancels a stalled fetch and clears a line', { skip: !existsSync('/usr/bin/script') && 'util-linux script is not installed' }, async () => {
  const home = join(dir, 'home');
  const command = `stty rows 12 cols 100; exec ${process.execPath} ${BIN} shell --connect-file ${connectFile}`;
  const term = new Terminal(command, { PATH: process.env.PATH ?? '', HOME: dir, RESTSQL_HOME: home, TERM: 'xterm', PAGER: "sed 's/^/PAGED: /'" });
  try {
    let at = await term.waitFor(/restsql shell: 3 tables\. Type \\\? for help, \\q to quit\.\r?\n/);
    at = await term.waitFor(/restsql=> /, at);
    term.type('select 1 as one;\r');
    at = await term.waitFor(/one\r\n-+\r\n *1\r\n\(1 row\)\r\n/, at);
    at = await term.waitFor(/restsql=> /, at);
    // A statement over two lines: the continuation prompt.
    term.type('select\r');
    at = await term.waitFor(/restsql-> /, at);
    term.type(`'${SECRET}' as two;\r`);
    at = await term.waitFor(/two\r\n-+\r\n *\*\*\* *\r\n\(1 row\)/, at);
    // Tab completion of a table name, then of one of its columns.
    term.type('select count(*) as n from use\t');
    at = await term.waitFor(/from users/, at);
    term.type(' where users.tea\t');
    at = await term.waitFor(/users\.team_id/, at);
    term.type(' > 10;\r');
    at = await term.waitFor(/n\r\n-+\r\n *2\r\n\(1 row\)/, at);
    at = await term.waitFor(/restsql=> /, at);
    // Ctrl-C while a fetch stalls: the fetch is dropped, the statement cancelled, the shell goes on.
    const stalled = stalls.length;
    term.type('select * from stall;\r');
    await until('the shell fetched /stall', () => stalls.length > stalled);
    term.type('\x03');
    at = await term.waitFor(/restsql: error\[ABORTED\]: The statement was cancelled\./, at);
    await until('the stalled request was closed', () => stalls[stalls.length - 1]!.closed);
    at = await term.waitFor(/restsql=> /, at);
    // Ctrl-C at the prompt forgets the line typed (else the quote would swallow the next line).
    term.type("select 'half");
    at = await term.waitFor(/select 'half/, at);
    term.type('\x03');
    at = await term.waitFor(/\^C\r\n/, at);
    term.type('select 4 as four;\r');
    at = await term.waitFor(/four\r\n-+\r\n *4\r\n\(1 row\)/, at);
    // A result longer than the terminal goes through the pager; the short ones did not.
    assert.doesNotMatch(term.output, /PAGED: /);
    term.type('select * from range(30) t(i);\r');
    at = await term.waitFor(/PAGED: 29\r?\n/, at);
    at = await term.waitFor(/restsql=> /, at);
    term.type('\\q\r');
    assert.equal(await within(30_000, 'the shell quit', term.exited), 0, term.output);
  } finally {
    // The pseudo-terminal closing hangs up the shell (SIGHUP) if it is still there.
    term.child.stdin!.end();
    term.child.kill('SIGKILL');
  }
  const history = join(home, 'shell_history');
  assert.equal(statSync(history).mode & 0o777, 0o600);
  const lines = readFileSync(history, 'utf8');
  assert.ok(!lines.includes(SECRET), lines);
  assert.match(lines, /^'\*\*\*' as two;$/m);
  assert.match(lines, /^select count\(\*\) as n from users where users\.team_id > 10;$/m);
  assert.doesNotMatch(lines, /half/, 'a line cancelled with Ctrl-C is not kept');
});
