import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's chromium (playwright-core downloads no browser); RESTSQL_CHROMIUM overrides the path. */
export function chromiumPath(): string {
  const candidates = [process.env.RESTSQL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`No chromium found (looked at ${candidates.join(', ')}). Install it: apt-get install -y chromium (.ci/run does), or set RESTSQL_CHROMIUM.`);
  return found;
}

const LOOPBACK = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

/** A headless chromium whose pages can reach loopback only (the dev login pages import web fonts). */
export async function loopbackChromium(): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await context.route('**/*', (route) => (LOOPBACK.test(route.request().url()) || route.request().url().startsWith('data:') ? route.continue() : route.abort()));
  return { browser, context };
}
