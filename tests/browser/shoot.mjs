// Developer tool: screenshot one page, optionally behind a login.
//
//   node shoot.mjs <email|-> <path> <out.png> [WIDTHxHEIGHT]
//
// SCROLL_TO=<css selector> shoots one viewport from that element on instead
// of the whole page, to look at a long page's part at full size.
//
// e.g. node shoot.mjs coach1@demo.wrapcare.nl / /tmp/coach-phone.png 390x844
// Starts its own server (needs WRAPCARE_BIN) unless BASE_URL is set; with
// BASE_URL, WRAPCARE_DEMO_PASSWORD must match what that server was given.

import path from 'node:path';
import * as harness from './harness.mjs';

const [who, urlPath, out, size] = process.argv.slice(2);
if (!who || !urlPath || !out) {
  console.error('usage: node shoot.mjs <email|-> <path> <out.png> [WIDTHxHEIGHT]');
  console.error('  e.g. node shoot.mjs leider@demo.wrapcare.nl / /tmp/leider.png 390x844');
  process.exit(2);
}

let viewport = harness.DEFAULT_VIEWPORT;
if (size) {
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) {
    console.error(`bad size "${size}", expected WIDTHxHEIGHT such as 390x844`);
    process.exit(2);
  }
  viewport = { width: Number(m[1]), height: Number(m[2]) };
}

let server = null;
let browser = null;
let code = 0;
try {
  let baseUrl = process.env.BASE_URL ? process.env.BASE_URL.replace(/\/+$/, '') : null;
  if (!baseUrl) {
    server = await harness.startServer();
    baseUrl = server.baseUrl;
  }
  browser = await harness.openBrowser({ viewport });
  const page = await browser.newPage();
  if (who !== '-') await harness.login(page, baseUrl, who);
  const target = new URL(urlPath, `${baseUrl}/`).href;
  const res = await page.goto(target, { waitUntil: 'load' });
  if (res && res.status() >= 400) console.warn(`warning: ${target} returned HTTP ${res.status()}`);
  const file = path.resolve(out);
  if (process.env.SCROLL_TO) {
    await page.locator(process.env.SCROLL_TO).first().evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: file });
  } else {
    await page.screenshot({ path: file, fullPage: true });
  }
  console.log(`${file} (${viewport.width}x${viewport.height}, ${page.url()})`);
} catch (err) {
  console.error(err.stack || err.message);
  code = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) await server.stop().catch(() => {});
}
process.exit(code);
