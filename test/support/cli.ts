import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/...). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'restsql');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let home: string | undefined;

/**
 * A $RESTSQL_HOME for this test process (made at first use, removed when the process exits), so
 * CLI runs never read or write the user's token cache and history, which other test processes
 * share.
 */
function testHome(): string {
  if (!home) {
    const made = mkdtempSync(join(tmpdir(), 'restsql-cli-home-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    home = made;
  }
  return home;
}

/**
 * Runs the real CLI in a child process. The environment is minimal so tests do not depend on the
 * user's; RESTSQL_HOME is this test process's own unless `env` gives one.
 */
export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; uid?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', RESTSQL_HOME: testHome(), ...opts.env };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
