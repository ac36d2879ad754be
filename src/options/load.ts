import { OPTION_CATALOG, type OptionSpec } from './catalog.js';
import { parseConnectionString, type RawOption } from './connection-string.js';
import { checkModelLayer } from './model-layer.js';
import { readDsn } from './odbc-ini.js';
import { resolveOptions, type ConnectionOptions } from './resolve.js';

export interface OptionSources {
  /** A connection string in the seed's syntax. */
  readonly connect?: string;
  /** A DSN name to read from odbc.ini (the connection string may also say `DSN=Name`). */
  readonly dsn?: string;
  /** `--odbc-ini FILE`. */
  readonly odbcIni?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Options that override both (for example `restsql sample URL` setting RestSamplePath). */
  readonly overrides?: readonly RawOption[];
  /**
   * The options written in the model file RestConfigFile names (its `#options` and OAuth
   * entries): the lowest layer, under the DSN and the connection string.
   */
  readonly modelOptions?: (restConfigFile: string) => readonly RawOption[];
}

const DSN_OPTION = (OPTION_CATALOG as readonly OptionSpec[]).find((s) => s.key === 'dataSourceName')!;

/**
 * Options from a DSN and/or a connection string; the connection string's options override the
 * DSN's, as with ODBC drivers. `DSN=Name` (or `DataSourceName=Name`) inside the connection string names the DSN as ODBC does.
 */
export function loadOptions(sources: OptionSources): ConnectionOptions {
  const env = sources.env ?? process.env;
  let fromString: RawOption[] = sources.connect ? parseConnectionString(sources.connect) : [];
  let dsn = sources.dsn;
  const dsnNames = new Set([DSN_OPTION.name, ...DSN_OPTION.aliases].map((n) => n.toLowerCase()));
  const dsnEntry = fromString.find((o) => dsnNames.has(o.key.trim().toLowerCase()));
  if (dsnEntry) {
    dsn ??= dsnEntry.value;
    fromString = fromString.filter((o) => o !== dsnEntry);
  }
  const layers: RawOption[][] = [];
  if (dsn) layers.push(readDsn(dsn, { ...(sources.odbcIni ? { file: sources.odbcIni } : {}), env }));
  layers.push(fromString);
  if (sources.overrides) layers.push([...sources.overrides]);
  if (sources.modelOptions) {
    // Which model file: the options without the model's, before their cross-option checks.
    const file = resolveOptions({ layers, env, checkCombination: false }).restConfigFile;
    const fromModel = file !== undefined ? checkModelLayer(sources.modelOptions(file)) : [];
    if (fromModel.length > 0) layers.unshift([...fromModel]);
  }
  return resolveOptions({ layers, env });
}
