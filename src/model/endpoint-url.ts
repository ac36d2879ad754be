import { RestSqlError } from '../errors/index.js';

/** Resolves a RestSamplePath against HostName (and PortNumber) when it is relative. */
export function resolveEndpointUrl(path: string, hostName?: string, port?: number): string {
  if (/^https?:\/\//i.test(path)) return path;
  if (!hostName) {
    throw new RestSqlError('CONFIG_INVALID_VALUE', `RestSamplePath '${path}' is relative and HostName is not set.`, {
      hint: 'Give a full URL (https://api.example.com/v1/items) or set HostName to the base URL.',
      details: { option: 'RestSamplePath' },
    });
  }
  const base = new URL(hostName.endsWith('/') ? hostName : hostName + '/');
  if (port && !base.port) base.port = String(port);
  return new URL(path.replace(/^\//, ''), base).toString();
}
