/** `restsql shell`: the interactive SQL shell on one connection (cli/shell/repl.ts). */
import { useConnection, type ConnFlags } from '../connect.js';
import type { Format } from '../format.js';
import type { CliContext } from '../io.js';
import { Shell } from '../shell/repl.js';

export interface ShellFlags extends ConnFlags {
  format: Format;
  continueOnError?: boolean;
}

export async function runShell(ctx: CliContext, flags: ShellFlags): Promise<void> {
  // A login may read a pasted redirect URL from a terminal before the shell starts; from a script, never.
  const stdinFree = ctx.io.stdin.isTTY === true;
  await useConnection(ctx, flags, (conn, clearProgress) => new Shell(ctx, conn, clearProgress, { format: flags.format, continueOnError: flags.continueOnError === true }).run(), { stdinFree });
}
