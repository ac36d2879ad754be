/**
 * The shell's pager: a result with more lines than the terminal has rows goes through `$PAGER`
 * (run by /bin/sh, so it may hold arguments), else `less -FRX` when less is on PATH (-F: quit at
 * once when it fits, -R: colours, -X: leave the text on the screen), else none. Only when the
 * output is a terminal: never into a pipe or a file. `PAGER=` (empty) turns it off.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The pager command for `env`, or undefined for none. */
export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PAGER !== undefined) return env.PAGER.trim() === '' ? undefined : env.PAGER;
  return onPath('less', env.PATH ?? '') ? 'less -FRX' : undefined;
}

function onPath(program: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

/** Whether `text` needs a pager on a terminal of `rows` rows (one row stays for the prompt). */
export function needsPager(text: string, rows: number | undefined): boolean {
  if (!rows || rows <= 0) return false;
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (++lines >= rows) return true;
  return false;
}

/**
 * Runs `command` with `text` on its standard input and the terminal as its output; resolves when
 * it ends (a pager quit early is no error). False when it could not be started (the caller
 * writes the text itself).
 */
export function runPager(command: string, text: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    let started = false;
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'], env });
    child.on('spawn', () => (started = true));
    child.on('error', () => resolve(false));
    // The pager quitting before reading everything closes the pipe (EPIPE): not an error.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve(started && code !== 126 && code !== 127));
    child.stdin.end(text);
  });
}
