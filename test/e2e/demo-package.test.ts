/**
 * What an installed package can do, without packing and installing one (that takes about a
 * minute): the files `npm pack` would ship (package.json `files`) are listed with
 * `npm pack --dry-run`, every module they load must be among them or a runtime dependency, and
 * `restsql demo` run from a copy of just those files says that the demo needs a clone.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../support/cli.js';
import { parseImports } from '../support/import-graph.js';

let packaged: Set<string>;

before(() => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  packaged = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
});

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

test('every module the package loads is in the package or a runtime dependency', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
  const runtime = new Set(Object.keys(manifest.dependencies));
  const builtins = new Set(builtinModules);
  const problems: string[] = [];
  const modules = [...packaged].filter((p) => (p.startsWith('dist/src/') && p.endsWith('.js')) || Object.values(manifest.bin).includes(p));
  assert.ok(modules.length > 50, `the package holds the compiled library (found ${modules.length} modules)`);
  for (const file of modules) {
    for (const ref of parseImports(file, readFileSync(join(ROOT, file), 'utf8'))) {
      if (ref.typeOnly) continue;
      if (ref.specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), ref.specifier));
        if (!packaged.has(target)) problems.push(`${file}:${ref.line} loads ${target}, which the package does not ship`);
      } else if (!ref.specifier.startsWith('node:') && !builtins.has(ref.specifier) && !runtime.has(packageName(ref.specifier))) {
        problems.push(`${file}:${ref.line} loads ${ref.specifier}, which is not a runtime dependency`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(![...packaged].some((p) => p.startsWith('dist/examples/') || p.startsWith('dist/test/')), 'examples and tests are not shipped');
});

let dir: string;
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('restsql demo from an installed package says the demo runs from a clone', async () => {
  // A copy of exactly the packaged files; node_modules is the clone's (the check above covers
  // which packages the shipped code may load).
  dir = mkdtempSync(join(tmpdir(), 'restsql-package-'));
  for (const p of packaged) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    cpSync(join(ROOT, p), join(dir, p));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const child = spawn(process.execPath, [join(dir, 'bin', 'restsql'), 'demo'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 2, err);
  assert.match(err, /^restsql: error\[USAGE\]: restsql demo runs from a clone of the restsql repository, not from an installed package/);
  assert.match(err, /hint: In a clone of the repository: npm install && npm run demo/);
  assert.doesNotMatch(err, /ERR_MODULE_NOT_FOUND|INTERNAL|at /);
  assert.equal(out, '');
});
