import { RestSqlError, Secret } from '../errors/index.js';
import { OPTION_CATALOG, type OptionSpec } from './catalog.js';

/** How restsql treats an option, for docs/options.md and `restsql options`. */
export function behaviourText(spec: OptionSpec): string {
  const e = spec.effect;
  if (!e) return 'supported';
  if (e.kind === 'refused') return `refused: ${e.why}`;
  return `accepted without effect: in DataDirect's driver it ${e.driver}. ${e.why}`;
}

/** The one-line notice for an option accepted without effect. */
export function inertNotice(spec: OptionSpec): string {
  const e = spec.effect;
  if (e?.kind !== 'none') throw new Error(`${spec.name} is not accepted without effect`);
  return `${spec.name} has no effect in restsql: in DataDirect's driver it ${e.driver}. ${e.why}`;
}

/**
 * One notice for each option accepted without effect that holds a value other than its default
 * (any value when it has none); labels (`quiet`) never. Values are not shown. `options` are
 * resolved ConnectionOptions (resolve.ts).
 */
export function inertOptionNotices(options: object, catalog: readonly OptionSpec[] = OPTION_CATALOG): string[] {
  const o = options as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const spec of catalog) {
    if (spec.effect?.kind !== 'none' || spec.effect.quiet) continue;
    const v = o[spec.key];
    if (v === undefined || (!(v instanceof Secret) && v === spec.default)) continue;
    out.push(inertNotice(spec));
  }
  return out;
}

/** The error for an option restsql refuses (`effect.kind === 'refused'`), given at `source`. */
export function refusedOption(spec: OptionSpec, source: string): RestSqlError {
  const why = spec.effect?.kind === 'refused' ? spec.effect.why : 'restsql does not support it.';
  return new RestSqlError('CONFIG_UNSUPPORTED', `${spec.name} (${source}) is not supported: ${why}`, {
    hint: `Remove ${spec.name} from the connection string or DSN.`,
    details: { option: spec.name, source },
  });
}
