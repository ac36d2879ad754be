import { isIP } from 'node:net';

/** Whether `host` (a name or an address, IPv6 without brackets) is this machine's loopback: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}
