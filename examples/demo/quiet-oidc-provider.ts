/**
 * oidc-provider prints start-up warnings meant for production deployments (Node 20 is not its
 * preferred runtime; in-memory adapter, dev keys and dev login pages are in use). All are expected
 * for a loopback demo and test server, so they are dropped
 * to keep the demo's output readable. Imported before oidc-provider so it runs first.
 */
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && /^(\x1b\[[\d;]*m)?oidc-provider WARNING: /.test(args[0])) return;
  warn(...args);
};
