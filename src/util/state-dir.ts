import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where restsql keeps state (token cache, history): `$RESTSQL_HOME`, else `${XDG_CONFIG_HOME:-~/.config}/restsql`. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RESTSQL_HOME) return env.RESTSQL_HOME;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'restsql');
}
