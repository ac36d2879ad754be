/**
 * The composition root: options -> redactor and logger -> authenticator -> HTTP client -> model
 * (a model file, or sampling RestSamplePath) -> engine -> Connection. The only module that
 * creates the authenticator and the HTTP client.
 */
import { createAuthenticator } from '../auth/create.js';
import type { CustomSteps } from '../auth/custom.js';
import { toRestSqlError } from '../errors/index.js';
import { httpClientFor } from '../http/client.js';
import { createOriginPolicy, parseOriginList, type OriginPolicy } from '../http/origins.js';
import { resolveEndpointUrl } from '../model/endpoint-url.js';
import { readAuthSteps } from '../model/model-file.js';
import { readModelFile } from '../model/read-file.js';
import { tablesOf } from '../model/types.js';
import { inertOptionNotices, redactorFor, type ConnectionOptions } from '../options/index.js';
import { SILENT_LOGGER, redactingLogger } from '../util/logger.js';
import { authContext, type ConnectOptions } from './connect-options.js';
import type { Connection } from './connection.js';
import { createDatabase } from './database.js';
import { Hub, type HubState } from './hub.js';
import { endpointSampler } from './endpoint-sample.js';
import { createInfoTables } from './info-tables.js';
import { LoadCache } from './load-cache.js';
import { buildModel, type BuiltModel, type MapContext } from './relational-map.js';

function customStepsOf(text: string): CustomSteps | undefined {
  const steps = readAuthSteps(text);
  return steps.authentication ? { authentication: steps.authentication, ...(steps.reauthentication ? { reauthentication: steps.reauthentication } : {}) } : undefined;
}


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
export async function openConnection(options: ConnectionOptions, opts: ConnectOptions = {}, modelText?: ReadModelText): Promise<Connection> {
  const hub = await openHub(options, opts, modelText);
  try {
    return await hub.session(true);
  } catch (e) {
    await hub.close();
    throw e;
  }
}

/** A model file's text as read when the options were resolved (its #options). */
export interface ReadModelText {
  readonly file: string;
  readonly text: string;
}

/**
 * Opens what sessions share: authenticates, builds the model (a model file, or sampling
 * RestSamplePath, or the persisted map: engine/relational-map.ts), the database and the load cache.
 */
export async function openHub(options: ConnectionOptions, opts: ConnectOptions = {}, readText?: ReadModelText): Promise<Hub> {
  // This connection's secrets, and no other's: the logger, errors and printed models mask them.
  const redactor = redactorFor(options, opts.env ?? process.env);
  const logger = redactingLogger(opts.logger ?? SILENT_LOGGER, redactor);
  // DataDirect options restsql accepts without effect: one line each, so nobody relies on them unknowingly.
  for (const notice of inertOptionNotices(options)) logger.warn(notice);
  // AWS signing may take its service and region from the API's host name.
  const firstUrl = [options.hostName, options.restSamplePath].find((u) => u !== undefined && /^https?:\/\//i.test(u));
  // The model file is read once: for its tables, and for Custom authentication's (29) #authentication steps.
  // (Already read when the options were resolved: the same text gives the options and the tables.)
  const modelText = options.restConfigFile === undefined ? undefined : readText?.file === options.restConfigFile ? readText.text : readModelFile(options.restConfigFile);
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
  const env = opts.env ?? process.env;
  const ctx: MapContext = { options, env, http, logger, redactor, origins };
  /** The database, info tables and load cache for a built model. */
  const assemble = async (built: BuiltModel): Promise<HubState> => {
    const db = await createDatabase();
    try {
      for (const e of built.model.endpoints) for (const t of tablesOf(e.table)) await db.defineTable(t);
      await createInfoTables(db, built.model, redactor);
      // The map is persisted only once its tables are built.
      built.persist();
      const cache = new LoadCache(built.model, db, http, logger, built.prefetched, { maxPages: options.maxPages, concurrency: options.pageConcurrency, cacheTtlMs: options.cacheTtl * 1000, bulkLoad: options.bulkLoad, filterPushdown: options.filterPushdown, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      return { model: built.model, db, cache };
    } catch (e) {
      await db.close();
      throw e;
    }
  };
  try {
    if (options.healthUri) await http.send({ url: resolveEndpointUrl(options.healthUri, options.hostName, options.portNumber) });
    const state = await assemble(await buildModel(ctx, { refresh: false, modelText }));
    // REFRESH MAP: the model file read again, sampled again, the map persisted as CreateMap says.
    const rebuild = async () => {
      try {
        return await assemble(await buildModel(ctx, { refresh: true }));
      } catch (e) {
        throw redactor.error(toRestSqlError(e));
      }
    };
    return new Hub(
      state,
      http,
      logger,
      redactor,
      closeAuth,
      rebuild,
      {
        queryTimeout: options.queryTimeout,
        ...(options.initializationString !== undefined ? { initializationString: options.initializationString } : {}),
        writes: { allowFullTableWrites: options.allowFullTableWrites, batchSize: options.writeBatchSize, transactionMode: options.transactionMode },
      },
      endpointSampler({ options, http, logger, redactor }),
    );
  } catch (e) {
    await closeAuth();
    throw redactor.error(toRestSqlError(e));
  }
}
