/**
 * Which connection options a model file may set (its `#options` and OAuth entries). A model file
 * is often downloaded (a vendor's sample, a colleague's file), so it may say where to send
 * requests and how to map them, but not weaken what protects the connection: no secrets and no
 * `${NAME}` environment reads (a file could send an environment variable to a host it names), no
 * TLS or proxy settings, no extra origins, no files to read or write, no SQL to run. Those come
 * from the DSN or the connection string only.
 */
import { RestSqlError } from '../errors/index.js';
import { optionNamed, type OptionSpec } from './catalog.js';
import type { RawOption } from './connection-string.js';

/** Options refused in a model file although their group is allowed. */
const REFUSED_KEYS = new Set(['restConfigFile', 'restSamplePath', 'allowedOrigins', 'credentialedOrigins', 'createMap', 'schemaMap', 'initializationString', 'dataSourceName']);
const REFUSED_GROUPS = new Set(['TLS', 'Proxy']);

/** Why `spec` may not be set from a model file, or undefined when it may. */
function refusal(spec: OptionSpec): string | undefined {
  if (spec.kind === 'secret') return 'it is a secret, and a model file is shared and read by others';
  if (spec.kind === 'path') return 'it names a file on this machine';
  if (REFUSED_GROUPS.has(spec.group)) return `${spec.group} settings protect the connection, so only its owner sets them`;
  if (REFUSED_KEYS.has(spec.key)) return 'it widens what the connection may reach or run';
  return undefined;
}

/**
 * Checks the options a model file sets (each RawOption's source is `file:line:column`). Unknown
 * names pass through to the resolver, which names them with a suggestion.
 */
export function checkModelLayer(options: readonly RawOption[]): readonly RawOption[] {
  for (const o of options) {
    const spec = optionNamed(o.key);
    const why = spec ? refusal(spec) : undefined;
    if (spec && why) {
      throw new RestSqlError('CONFIG_UNSUPPORTED', `${o.source}: the model file sets ${spec.name}, which a model file may not set: ${why}.`, {
        hint: `Remove it from the model file and give ${spec.name} in the connection string or DSN (write \${NAME} there to read an environment variable).`,
        details: { option: spec.name, source: o.source },
      });
    }
    if (o.value.includes('${')) {
      throw new RestSqlError('CONFIG_UNSUPPORTED', `${o.source}: the model file's value of ${spec?.name ?? o.key} reads an environment variable (\${...}); a model file may not read the environment.`, {
        hint: `Give ${spec?.name ?? o.key} in the connection string or DSN instead, where \${NAME} is read.`,
        details: { option: spec?.name ?? o.key, source: o.source },
      });
    }
  }
  return options;
}
