// Browser-test harness for wrapcare: server lifecycle, system Chromium via
// playwright-core, login/logout helpers, axe-core accessibility checks.
//
// Nothing here downloads a browser: Chromium is the system one
// (/usr/bin/chromium, or env CHROMIUM).

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.join(HERE, 'artifacts');
const REPO_ROOT = path.resolve(HERE, '..', '..');

// ---------------------------------------------------------------------------
// Demo users (seeded by `serve --demo`); all share DEMO_PASSWORD.
// ---------------------------------------------------------------------------

export const DEMO_PASSWORD = process.env.WRAPCARE_DEMO_PASSWORD || 'browser-test-demo';

export const ADMIN = 'admin@demo.wrapcare.nl';
export const LEIDER = 'leider@demo.wrapcare.nl'; // supervisor (team lead)
export const INTAKE = 'intake@demo.wrapcare.nl';
export const COACH1 = 'coach1@demo.wrapcare.nl'; // coordinators
export const COACH2 = 'coach2@demo.wrapcare.nl';
export const COACH3 = 'coach3@demo.wrapcare.nl';
export const COACH4 = 'coach4@demo.wrapcare.nl';
export const COACH5 = 'coach5@demo.wrapcare.nl';
export const ANALIST = 'analist@demo.wrapcare.nl';
export const PRIVACY = 'privacy@demo.wrapcare.nl'; // privacy officer
export const ZEELAND_LEIDER = 'zeeland-leider@demo.wrapcare.nl';
export const COACHES = [COACH1, COACH2, COACH3, COACH4, COACH5];

/** Role name -> login email. */
export const DEMO_USERS = Object.freeze({
  admin: ADMIN,
  leider: LEIDER,
  intake: INTAKE,
  coach1: COACH1,
  coach2: COACH2,
  coach3: COACH3,
  coach4: COACH4,
  coach5: COACH5,
  analist: ANALIST,
  privacy: PRIVACY,
  zeelandLeider: ZEELAND_LEIDER,
});

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ensureArtifacts() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

function safeName(name) {
  return String(name).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'shot';
}

function excerpt(text, max = 600) {
  const t = String(text ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Last `lines` lines of a text file ('' if unreadable). */
export function tailFile(file, lines = 40) {
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return all.slice(-lines - 1).join('\n');
  } catch {
    return '';
  }
}

async function freePort() {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Base URL used to resolve relative paths in visit()/login() when the page is
// not yet on an http(s) URL. Set by startServer(); can be set explicitly.
let defaultBaseUrl = process.env.BASE_URL ? process.env.BASE_URL.replace(/\/+$/, '') : null;
export function setBaseUrl(url) {
  defaultBaseUrl = url ? String(url).replace(/\/+$/, '') : null;
}

function resolveUrl(page, url, baseUrl) {
  if (/^https?:\/\//i.test(url)) return url;
  const current = page.url();
  if (/^https?:\/\//i.test(current)) return new URL(url, current).href;
  const base = baseUrl || defaultBaseUrl;
  if (!base) throw new Error(`cannot resolve relative URL ${url}: no base URL (page is at ${current})`);
  return new URL(url, `${base}/`).href;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

const liveServers = new Set();
process.on('exit', () => {
  for (const child of liveServers) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/**
 * Start `$WRAPCARE_BIN --data-dir <tmp> serve --addr 127.0.0.1:<port> --demo`
 * and wait until GET /healthz is 200 (up to 60 s).
 * Returns { baseUrl, port, dataDir, logFile, tail(n), stop() }.
 */
export async function startServer({ readyTimeoutMs = 60_000 } = {}) {
  const binEnv = process.env.WRAPCARE_BIN;
  if (!binEnv) {
    throw new Error(
      'WRAPCARE_BIN is not set. Build the server and point WRAPCARE_BIN at it, e.g.\n' +
        '  WRAPCARE_BIN=$PWD/../../target/debug/wrapcare npm test',
    );
  }
  const bin = path.resolve(binEnv);
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`WRAPCARE_BIN=${binEnv} (${bin}) does not exist or is not executable`);
  }

  ensureArtifacts();
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'wrapcare-browser-data-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = path.join(ARTIFACTS, `server-${port}.log`);
  const logFd = fs.openSync(logFile, 'w');
  const args = ['--data-dir', dataDir, 'serve', '--addr', `127.0.0.1:${port}`, '--demo'];
  fs.writeSync(logFd, `# ${bin} ${args.join(' ')}\n`);

  const child = spawn(bin, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      WRAPCARE_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      WRAPCARE_DEMO_PASSWORD: DEMO_PASSWORD,
    },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd); // the child has its own copy
  liveServers.add(child);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      liveServers.delete(child);
      resolve(exited);
    });
    child.on('error', (err) => {
      exited = { code: null, signal: null, error: err };
      liveServers.delete(child);
      resolve(exited);
    });
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const t = await Promise.race([exitPromise, sleep(5000).then(() => null)]);
      if (!t && !exited) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    await fsp.rm(dataDir, { recursive: true, force: true });
  }

  const tail = (n = 40) => tailFile(logFile, n);

  const deadline = Date.now() + readyTimeoutMs;
  let lastProblem = 'no response yet';
  while (true) {
    if (exited) {
      const why = exited.error
        ? `failed to spawn: ${exited.error.message}`
        : `exited early (code ${exited.code}, signal ${exited.signal})`;
      await stop();
      process.stderr.write(`--- wrapcare server log tail (${logFile}) ---\n${tail()}\n---\n`);
      throw new Error(`wrapcare server ${why}; log: ${logFile}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
      lastProblem = `/healthz returned HTTP ${res.status}`;
    } catch (err) {
      lastProblem = err.cause?.code || err.message;
    }
    if (Date.now() > deadline) {
      await stop();
      process.stderr.write(`--- wrapcare server log tail (${logFile}) ---\n${tail()}\n---\n`);
      throw new Error(
        `wrapcare server not ready after ${readyTimeoutMs / 1000}s (${lastProblem}); log: ${logFile}`,
      );
    }
    await sleep(250);
  }

  setBaseUrl(baseUrl);
  return { baseUrl, port, dataDir, logFile, tail, stop };
}

// ---------------------------------------------------------------------------
// Browser
// ---------------------------------------------------------------------------

export const CHROMIUM_PATH = process.env.CHROMIUM || '/usr/bin/chromium';

/** The exact Chromium flags we run with (plus --user-data-dir and the
 * --remote-debugging-pipe playwright needs to talk to the browser). */
export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

export const DEFAULT_VIEWPORT = Object.freeze({ width: 1366, height: 900 });

/**
 * Launch Chromium with a fresh profile dir (removed on close).
 * Returns { context, newPage(), close(), userDataDir }.
 * options: { viewport: {width, height} } plus any extra playwright context
 * options.
 */
export async function openBrowser({ viewport = DEFAULT_VIEWPORT, ...contextOptions } = {}) {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (apt-get install chromium) ` +
        'or set CHROMIUM=/path/to/chromium. (playwright-core never downloads browsers.)',
    );
  }
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'wrapcare-browser-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Use exactly our flags, not playwright's defaults. Playwright still
      // needs the profile dir and its debugging pipe on the command line.
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`, '--remote-debugging-pipe'],
      viewport,
      locale: 'nl-NL',
      timezoneId: 'Europe/Amsterdam',
      ...contextOptions,
    });
  } catch (err) {
    await fsp.rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);

  // Surface uncaught page errors in the test output.
  context.on('page', (page) => attachPageLogging(page));
  for (const p of context.pages()) attachPageLogging(p);

  const handedOut = new WeakSet();
  let closed = false;
  return {
    context,
    userDataDir,
    async newPage() {
      // Reuse the blank start-up tab for the first page.
      const blank = context
        .pages()
        .find((p) => !handedOut.has(p) && /^(about:|chrome:\/\/)/.test(p.url()));
      const page = blank || (await context.newPage());
      handedOut.add(page);
      return page;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        await fsp.rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

const loggedPages = new WeakSet();
function attachPageLogging(page) {
  if (loggedPages.has(page)) return;
  loggedPages.add(page);
  page.on('pageerror', (err) => {
    console.warn(`  [page error] ${page.url()}: ${err.message}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (/\/favicon\.ico$/.test(msg.location()?.url || '')) return;
    // Our own axe injection tripping the app's CSP (handled in injectAxe).
    if (axeHash && msg.text().includes(axeHash)) return;
    console.warn(`  [console error] ${page.url()}: ${msg.text()}`);
  });
}

// ---------------------------------------------------------------------------
// Login / logout
// ---------------------------------------------------------------------------

async function visibleErrorText(page) {
  return await page.evaluate(() => {
    const sel = '[role=alert], .error, .errors, .alert, .flash, .notice, .form-error, .field-error, [aria-invalid=true] + *';
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const parts = [...document.querySelectorAll(sel)]
      .filter(visible)
      .map((el) => el.innerText.trim())
      .filter(Boolean);
    if (parts.length) return parts.join(' | ');
    const main = document.querySelector('main') || document.body;
    return main ? main.innerText : '';
  });
}

/**
 * Log in via the /login form. Throws (with the page's visible error text) if
 * the browser is still on /login afterwards, or if the landing page is >= 400.
 */
export async function login(page, baseUrl, email, password = DEMO_PASSWORD) {
  const loginUrl = resolveUrl(page, '/login', baseUrl);
  const res = await page.goto(loginUrl, { waitUntil: 'load' });
  if (res && res.status() >= 400) {
    throw new Error(`GET ${loginUrl} returned HTTP ${res.status()}`);
  }
  await page.fill('#email', email);
  await page.fill('#password', password);
  let submit = page.locator('form:has(#email) button[type=submit]');
  if ((await submit.count()) === 0) submit = page.locator('button[type=submit]');
  const [navRes] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    submit.first().click(),
  ]);
  const landed = new URL(page.url());
  if (landed.pathname === '/login' || landed.pathname.startsWith('/login/')) {
    const msg = excerpt(await visibleErrorText(page), 400);
    throw new Error(`login as ${email} failed: still on ${landed.pathname}${msg ? `: "${msg}"` : ''}`);
  }
  if (navRes && navRes.status() >= 400) {
    throw new Error(`login as ${email}: landing page ${page.url()} returned HTTP ${navRes.status()}`);
  }
  return page.url();
}

/** Submit the header's logout form and wait for the resulting page. */
export async function logout(page) {
  const form = page.locator('form[action="/logout"]');
  if ((await form.count()) === 0) {
    throw new Error(`logout: no form[action="/logout"] on ${page.url()}`);
  }
  const button = form.first().locator('button[type=submit], input[type=submit]').first();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  if ((await page.locator('form[action="/logout"]').count()) > 0) {
    throw new Error(`logout: still logged in after logout (at ${page.url()})`);
  }
  return page.url();
}

// ---------------------------------------------------------------------------
// Accessibility (axe-core)
// ---------------------------------------------------------------------------

/** Every page checked by checkA11y: { label, url, serious, minor }. */
export const checkedPages = [];

let axeSource = null;
let axeHash = null; // CSP hash of the inline axe script, to recognise its CSP reports
function getAxeSource() {
  if (!axeSource) {
    axeSource = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    axeHash = crypto.createHash('sha256').update(axeSource).digest('base64');
  }
  return axeSource;
}

async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
  try {
    await page.addScriptTag({ content: getAxeSource() });
  } catch {
    /* fall through to the CDP route below */
  }
  if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
  // A strict Content-Security-Policy blocks the inline <script>; DevTools
  // evaluation is not subject to CSP, so load axe that way instead.
  const cdp = await page.context().newCDPSession(page);
  try {
    const r = await cdp.send('Runtime.evaluate', { expression: getAxeSource(), returnByValue: true });
    if (r.exceptionDetails) throw new Error(`axe-core injection failed: ${r.exceptionDetails.text}`);
  } finally {
    await cdp.detach().catch(() => {});
  }
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    throw new Error(`could not inject axe-core into ${page.url()}`);
  }
}

const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Run axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) on the current page. Serious/critical
 * violations throw; minor/moderate ones are printed as warnings.
 */
export async function checkA11y(page, label = '') {
  await injectAxe(page);
  const violations = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    const fmt = (t) => (Array.isArray(t) ? t.map(fmt).join(' >>> ') : String(t));
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      count: v.nodes.length,
      targets: v.nodes.map((n) => fmt(n.target)),
    }));
  }, A11Y_TAGS);

  const url = page.url();
  const name = label || new URL(url).pathname;
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.filter((v) => !(v.impact === 'serious' || v.impact === 'critical'));
  checkedPages.push({ label: name, url, serious: serious.length, minor: minor.length });

  const describe = (v) => {
    const more = v.targets.length > 3 ? ` (+${v.targets.length - 3} more)` : '';
    return `  - [${v.impact}] ${v.id}: ${v.help}\n      at ${v.targets.slice(0, 3).join(' | ')}${more}`;
  };
  if (minor.length) {
    console.warn(`  [a11y warning] ${name} (${url}):\n${minor.map(describe).join('\n')}`);
  }
  if (serious.length) {
    throw new Error(
      `accessibility: ${serious.length} serious/critical axe violation(s) on ${name} (${url}):\n` +
        serious.map(describe).join('\n'),
    );
  }
  return violations;
}

// ---------------------------------------------------------------------------
// Navigation, screenshots, assertions
// ---------------------------------------------------------------------------

/**
 * page.goto(url) (relative URLs resolve against the current page or the
 * server's base URL), wait for load, require HTTP status < 400, then run
 * checkA11y. Returns the playwright Response (or null).
 */
export async function visit(page, url, label) {
  const target = resolveUrl(page, url);
  const res = await page.goto(target, { waitUntil: 'load' });
  if (res && res.status() >= 400) {
    let body = '';
    try { body = excerpt(await page.innerText('body'), 300); } catch { /* ignore */ }
    throw new Error(`visit ${label || url}: GET ${target} returned HTTP ${res.status()}${body ? `: "${body}"` : ''}`);
  }
  await checkA11y(page, label || url);
  return res;
}

/** Full-page PNG at artifacts/<name>.png; returns the path. */
export async function screenshot(page, name) {
  ensureArtifacts();
  const file = path.join(ARTIFACTS, `${safeName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Assert the page's body text contains `text` (string, whitespace-normalised,
 * or RegExp). Waits up to `timeout` ms for it to appear.
 */
export async function expectText(page, text, { timeout = 5000 } = {}) {
  const norm = (s) => String(s).replace(/\s+/g, ' ').trim();
  const matches = (body) => (text instanceof RegExp ? text.test(body) : norm(body).includes(norm(text)));
  const deadline = Date.now() + timeout;
  let body = '';
  while (true) {
    try {
      body = await page.evaluate(() => (document.body ? document.body.innerText : ''));
    } catch {
      body = ''; // page mid-navigation
    }
    if (matches(body)) return;
    if (Date.now() >= deadline) break;
    await sleep(100);
  }
  const flat = norm(body);
  let hint = '';
  if (!(text instanceof RegExp)) {
    // Point at the closest partial match (first word of the expected text).
    const first = norm(text).split(' ')[0];
    const i = first ? flat.toLowerCase().indexOf(first.toLowerCase()) : -1;
    if (i >= 0) hint = `\n  nearest: "…${flat.slice(Math.max(0, i - 80), i + 160)}…"`;
  }
  throw new Error(
    `expected text ${text instanceof RegExp ? text : JSON.stringify(text)} on ${page.url()}` +
      `${hint}\n  page text: "${excerpt(flat, 800)}"`,
  );
}
