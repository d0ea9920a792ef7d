// Runs every journeys/*.mjs against ONE wrapcare server, each journey in its
// own fresh browser. Usage: node run.mjs [name-substring]
// Ends with a line `N passed, N failed`; exit code 1 if any failed.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as harness from './harness.mjs';

const { ARTIFACTS, HERE } = harness;
const JOURNEY_DIR = path.join(HERE, 'journeys');
const JOURNEY_TIMEOUT_MS = Number(process.env.JOURNEY_TIMEOUT_MS || 5 * 60_000);
const filter = (process.argv[2] || '').toLowerCase();

function fmtSecs(ms) {
  return `${(ms / 1000).toFixed(1)}s`;
}

function indent(text, pad = '    ') {
  return String(text).split('\n').map((l) => pad + l).join('\n');
}

async function loadJourneys() {
  const files = fs.existsSync(JOURNEY_DIR)
    ? fs.readdirSync(JOURNEY_DIR).filter((f) => f.endsWith('.mjs')).sort()
    : [];
  const journeys = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(JOURNEY_DIR, file)).href);
    const name = mod.name || path.basename(file, '.mjs');
    if (typeof mod.default !== 'function') {
      throw new Error(`journeys/${file} has no default export function`);
    }
    journeys.push({ name, file, run: mod.default });
  }
  return journeys.filter(
    (j) => !filter || j.name.toLowerCase().includes(filter) || j.file.toLowerCase().includes(filter),
  );
}

function clearArtifacts() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS)) {
    if (/\.(png|log|json)$/.test(f)) fs.rmSync(path.join(ARTIFACTS, f), { force: true });
  }
}

async function main() {
  const journeys = await loadJourneys();
  if (journeys.length === 0) {
    console.error(filter ? `no journey matches "${process.argv[2]}"` : 'no journeys found in journeys/');
    console.log('0 passed, 0 failed');
    return 1;
  }
  clearArtifacts();

  let server;
  try {
    server = await harness.startServer();
  } catch (err) {
    console.error(`cannot start wrapcare server: ${err.message}`);
    for (const j of journeys) console.log(`FAIL ${j.name} (0.0s): server did not start`);
    console.log(`0 passed, ${journeys.length} failed`);
    return 1;
  }

  const stopAndExit = async (code) => {
    try { await server.stop(); } catch { /* ignore */ }
    process.exit(code);
  };
  process.once('SIGINT', () => stopAndExit(130));
  process.once('SIGTERM', () => stopAndExit(143));

  console.log(`wrapcare server at ${server.baseUrl} (log: ${path.relative(process.cwd(), server.logFile)})`);
  let passed = 0;
  let failed = 0;

  for (const j of journeys) {
    const t0 = Date.now();
    console.log(`--- ${j.name}`);
    let browser = null;
    let error = null;
    try {
      browser = await harness.openBrowser();
      const ctx = { ...harness, baseUrl: server.baseUrl, browser, server, users: harness.DEMO_USERS };
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`journey timed out after ${fmtSecs(JOURNEY_TIMEOUT_MS)}`)),
          JOURNEY_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([j.run(ctx), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      error = err;
    }

    if (error && browser) {
      const pages = browser.context.pages().filter((p) => !p.isClosed());
      for (let i = 0; i < pages.length; i++) {
        const name = `FAIL-${j.name}${pages.length > 1 ? `-${i + 1}` : ''}`;
        try {
          const file = await harness.screenshot(pages[i], name);
          console.log(`  screenshot: ${path.relative(process.cwd(), file)} (${pages[i].url()})`);
        } catch (e) {
          console.log(`  (screenshot failed: ${e.message.split('\n')[0]})`);
        }
      }
    }
    if (browser) {
      try { await browser.close(); } catch (e) { console.warn(`  (browser close: ${e.message})`); }
    }

    const took = fmtSecs(Date.now() - t0);
    if (error) {
      failed++;
      console.log(`FAIL ${j.name} (${took})`);
      console.log(indent(error.stack || error.message));
      const tail = server.tail(15);
      if (tail.trim()) console.log(`  server log tail:\n${indent(tail)}`);
    } else {
      passed++;
      console.log(`PASS ${j.name} (${took})`);
    }
  }

  await server.stop();

  const pages = harness.checkedPages;
  fs.writeFileSync(path.join(ARTIFACTS, 'a11y-pages.json'), JSON.stringify(pages, null, 2));
  console.log(`a11y: ${pages.length} page check(s), ${new Set(pages.map((p) => p.url)).size} distinct URL(s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err.stack || err.message);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
