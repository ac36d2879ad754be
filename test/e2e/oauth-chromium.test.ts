/**
 * The logins through a real headless Chromium (Debian's, driven by playwright-core): the PKCE
 * browser flow and the device flow, against oidc-provider's login and consent pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { connect } from '../../src/index.js';
import { loopbackChromium } from '../support/chromium.js';
import { startOAuthWorld } from '../support/oauth.js';

/** What a person does on oidc-provider's dev pages: log in, then approve. */
async function logInAndApprove(page: Page): Promise<void> {
  await page.locator('input[name="login"]').fill('grace');
  await page.locator('input[name="password"]').fill('pw');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
}

test('PKCE login through real headless Chromium: the listener receives the redirect and the query answers', async () => {
  const w = await startOAuthWorld();
  const { browser, context } = await loopbackChromium();
  const driving: Promise<string>[] = [];
  try {
    const conn = await connect(w.conn(), {
      env: { RESTSQL_HOME: w.home, TEST_CLIENT_SECRET: w.env().TEST_CLIENT_SECRET },
      openBrowser: async (url) => {
        driving.push((async () => {
          const page = await context.newPage();
          await page.goto(url);
          await logInAndApprove(page);
          await page.waitForURL(new RegExp(`^http://localhost:${w.redirectPort}/\\?`));
          return (await page.locator('h1').textContent()) ?? '';
        })());
      },
    });
    try {
      const r = await conn.query('SELECT name FROM customers WHERE id = 102');
      assert.deepEqual(r.rows, [{ name: 'Grace Hopper' }]);
    } finally {
      await conn.close();
    }
    assert.equal(driving.length, 1);
    assert.equal(await driving[0], 'Logged in', 'the browser shows the success page');
    assert.equal(w.auth.logins(), 1);
    assert.deepEqual(w.auth.tokenRequests.map((x) => [x.grantType, x.mode, x.status]), [['authorization_code', 'basic', 200]]);
  } finally {
    await browser.close();
    await w.close();
  }
});

test('device login (RFC 8628) through real headless Chromium', async () => {
  const w = await startOAuthWorld();
  const { browser, context } = await loopbackChromium();
  const driving: Promise<void>[] = [];
  const messages: string[] = [];
  try {
    const conn = await connect(w.conn({ AuthURI: undefined, TokenURI: undefined, IssuerURI: w.auth.issuer }), {
      env: { RESTSQL_HOME: w.home, TEST_CLIENT_SECRET: w.env().TEST_CLIENT_SECRET },
      device: true,
      notify: (m) => messages.push(m),
      openBrowser: async (url) => {
        driving.push((async () => {
          const page = await context.newPage();
          await page.goto(url);
          // verification_uri_complete carries the code; the page asks to confirm it.
          await page.locator('button[type="submit"]').first().click();
          await logInAndApprove(page);
          await page.getByText(/sign-in|success|complete/i).first().waitFor();
        })());
      },
    });
    try {
      const r = await conn.query('SELECT count(*) AS n FROM customers');
      assert.ok(Number(r.rows[0]!.n) > 0);
    } finally {
      await conn.close();
    }
    await driving[0];
    assert.match(messages.join('\n'), /enter the code [A-Z]{4}-[A-Z]{4}/);
    assert.equal(w.auth.tokenRequests.filter((x) => x.status === 200).at(-1)?.grantType, 'urn:ietf:params:oauth:grant-type:device_code');
  } finally {
    await browser.close();
    await w.close();
  }
});
