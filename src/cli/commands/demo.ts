/** `restsql demo`: the embedded end-to-end demo (a clone's examples/demo). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RestSqlError } from '../../errors/index.js';
import type { CliContext } from '../io.js';

type RunDemo = (io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv; interactive?: boolean }) => Promise<void>;

/** Where the compiled demo sits in a clone: dist/examples/demo/run.js, next to dist/src. */
const DEMO_RUN = new URL('../../../examples/demo/run.js', import.meta.url);

/**
 * The demo runs examples/demo, which only a clone has: its OAuth server is oidc-provider, a
 * development dependency, so the published package (dist/src) ships neither. Loaded by URL, not by
 * a literal import, because nothing in src/ may depend on files outside it (docs/architecture.md).
 */
export async function runDemoCommand(ctx: CliContext, flags: { interactive?: boolean }): Promise<void> {
  if (!existsSync(fileURLToPath(DEMO_RUN))) {
    throw new RestSqlError('USAGE', 'restsql demo runs from a clone of the restsql repository, not from an installed package: its local OAuth server (oidc-provider) is a development dependency, which the package does not include.', {
      hint: 'In a clone of the repository: npm install && npm run demo',
    });
  }
  const { runDemo } = (await import(DEMO_RUN.href)) as { runDemo: RunDemo };
  await runDemo({ stdout: ctx.io.stdout, stderr: ctx.io.stderr, env: ctx.io.env, interactive: flags.interactive === true });
}
