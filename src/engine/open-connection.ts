/**
 * The composition root: options -> redactor and logger -> authenticator -> HTTP client -> model
 * (a model file, or sampling RestSamplePath) -> engine -> Connection. The only module that
 * creates the authenticator and the HTTP client.
 */
import { createAuthenticator } from '../auth/create.js';
import type { CustomSteps } from '../auth/custom.js';
import { RestSqlError, toRestSqlError } from '../errors/index.js';
import { httpClientFor } from '../http/client.js';
import { createOriginPolicy, parseOriginList, type OriginPolicy } from '../http/origins.js';
import { resolveEndpointUrl } from '../model/endpoint-url.js';
import { loadModelFile } from '../model/load.js';
import { readAuthSteps } from '../model/model-file.js';
import { readModelFile } from '../model/read-file.js';
import { sampleEndpoint } from '../model/sample-endpoint.js';
import type { PrefetchedPage } from '../model/sample-source.js';
import { deepFreeze, tablesOf, type EndpointDef, type ResolvedModel, type ResponseFormat } from '../model/types.js';
import { redactorFor, type ConnectionOptions } from '../options/index.js';
import { SILENT_LOGGER, redactingLogger } from '../util/logger.js';
import { authContext, type ConnectOptions } from './connect-options.js';
import type { Connection } from './connection.js';
import { createDatabase, type Database } from './database.js';
import { Hub } from './hub.js';
import { createInfoTables } from './info-tables.js';
import { LoadCache } from './load-cache.js';
import { sampleSourceOf } from './sampling.js';

function customStepsOf(text: string): CustomSteps | undefined {
  const steps = readAuthSteps(text);
  return steps.authentication ? { authentication: steps.authentication, ...(steps.reauthentication ? { reauthentication: steps.reauthentication } : {}) } : undefined;
}

/** ResponseFormat's values (0, Auto: by Content-Type). */
const RESPONSE_FORMAT_OPTION: Readonly<Record<number, ResponseFormat>> = { 1: 'json', 2: 'ndjson', 3: 'csv', 4: 'xml' };

/**
 * The origins the connection is configured for (credentials go there), plus AllowedOrigins and
 * CredentialedOrigins; the model file's #path origins are added as it is read.
 */
function connectionOrigins(options: ConnectionOptions): OriginPolicy {
  const origins = createOriginPolicy({ allowed: parseOriginList(options.allowedOrigins, 'AllowedOrigins'), credentialed: parseOriginList(options.credentialedOrigins, 'CredentialedOrigins') });
  const configured = [
    options.hostName !== undefined ? () => resolveEndpointUrl('', options.hostName, options.portNumber) : undefined,
    options.restSamplePath !== undefined ? () => resolveEndpointUrl(options.restSamplePath!, options.hostName, options.portNumber) : undefined,
    options.healthUri !== undefined ? () => resolveEndpointUrl(options.healthUri!, options.hostName, options.portNumber) : undefined,
    ...[options.tokenUri, options.authUri, options.issuerUri].map((u) => (u !== undefined ? () => u.replace(/^(GET|POST)\s+/i, '') : undefined)),
  ];
  for (const url of configured) {
    try {
      if (url) origins.allow(url());
    } catch {
      // A relative URL without HostName: reported where it is used.
    }
  }
  return origins;
}

/** Opens a connection: a hub of its own (openHub) with one session, closed with it. */
export async function openConnection(options: ConnectionOptions, opts: ConnectOptions = {}): Promise<Connection> {
  const hub = await openHub(options, opts);
  try {
    return await hub.session(true);
  } catch (e) {
    await hub.close();
    throw e;
  }
}

/**
 * Opens what sessions share: authenticates, builds the model (a model file, or sampling
 * RestSamplePath), the database and the load cache.
 */
export async function openHub(options: ConnectionOptions, opts: ConnectOptions = {}): Promise<Hub> {
  // This connection's secrets, and no other's: the logger, errors and printed models mask them.
  const redactor = redactorFor(options, opts.env ?? process.env);
  const logger = redactingLogger(opts.logger ?? SILENT_LOGGER, redactor);
  // AWS signing may take its service and region from the API's host name.
  const firstUrl = [options.hostName, options.restSamplePath].find((u) => u !== undefined && /^https?:\/\//i.test(u));
  // The model file is read once: for its tables, and for Custom authentication's (29) #authentication steps.
  const modelText = options.restConfigFile !== undefined ? readModelFile(options.restConfigFile) : undefined;
  const customSteps = options.authenticationMethod === 29 && modelText !== undefined ? customStepsOf(modelText) : undefined;
  const origins = connectionOrigins(options);
  // One transport (connection pool, host gate, limits) for the API and for obtaining credentials;
  // auth requests go through it without the authenticator they feed.
  const transport = httpClientFor(options, { logger, redactor, origins, ...(opts.signal ? { signal: opts.signal } : {}) });
  let created: ReturnType<typeof createAuthenticator>;
  try {
    created = createAuthenticator(options, { ...authContext(opts, logger, transport), env: opts.env ?? process.env, ...(firstUrl ? { firstUrl } : {}), ...(customSteps ? { customSteps } : {}) });
  } catch (e) {
    await transport.close();
    throw e;
  }
  // The authenticator closes before the transport it sends through.
  const closeAuth = async () => {
    await created.close();
    await transport.close();
  };
  const http = transport.derive({ authenticator: created.authenticator });
  let db: Database | undefined;
  try {
    if (options.healthUri) await http.send({ url: resolveEndpointUrl(options.healthUri, options.hostName, options.portNumber) });
    const prefetched = new Map<EndpointDef, PrefetchedPage>();
    const endpoints: EndpointDef[] = [];
    let model: ResolvedModel;
    if (modelText !== undefined) {
      const loaded = await loadModelFile(options, modelText, sampleSourceOf(http), logger, origins);
      model = loaded.model;
      for (const [e, page] of loaded.prefetched) prefetched.set(e, page);
      endpoints.push(...model.endpoints);
    } else if (options.restSamplePath !== undefined) {
      const url = resolveEndpointUrl(options.restSamplePath, options.hostName, options.portNumber);
      const format = RESPONSE_FORMAT_OPTION[options.responseFormat as number];
      const sampled = await sampleEndpoint(url, options.table, sampleSourceOf(http), { qualifyNames: options.qualifyNormalizedNames as 0 | 1 | 2, maxColumns: options.maxColumns }, logger, format ? { format } : undefined);
      endpoints.push(sampled.endpoint);
      prefetched.set(sampled.endpoint, sampled.first);
      model = deepFreeze({ endpoints });
    } else {
      throw new RestSqlError('CONFIG_MISSING_OPTION', 'Neither RestSamplePath nor RestConfigFile is set: there is nothing to query.', {
        hint: 'Add RestSamplePath=https://api.example.com/v1/items (one endpoint) or RestConfigFile=api.rest (a model file).',
        details: { option: 'RestSamplePath' },
      });
    }
    db = await createDatabase();
    for (const e of endpoints) for (const t of tablesOf(e.table)) await db.defineTable(t);
    await createInfoTables(db, model, redactor);
    const cache = new LoadCache(model, db, http, logger, prefetched, { maxPages: options.maxPages, concurrency: options.pageConcurrency, cacheTtlMs: options.cacheTtl * 1000, bulkLoad: options.bulkLoad, filterPushdown: options.filterPushdown, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    return new Hub(model, db, cache, http, logger, redactor, closeAuth);
  } catch (e) {
    await db?.close();
    await closeAuth();
    throw redactor.error(toRestSqlError(e));
  }
}
