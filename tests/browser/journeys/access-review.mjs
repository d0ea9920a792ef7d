// The access-log review: the privacy officer finds the demo's night-time
// emergency access with its reason, looks at what was done under it, exports
// those entries as CSV, and cannot open the family file itself. The family's
// supervisor sees the same access in the review of their team's families.

import fs from 'node:fs/promises';

export const name = 'access-review';

export default async function accessReview(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();

  await login(page, baseUrl, users.privacy);
  // Home is the review.
  if (!new URL(page.url()).pathname.startsWith('/access-log')) {
    throw new Error(`privacy officer landed on ${page.url()}`);
  }
  await checkA11y(page, 'access log');
  await expectText(page, 'Toegangslog');
  await screenshot(page, 'access-log-desktop');

  // The emergency accesses, with the reason given at the time.
  await Promise.all([page.waitForNavigation(), page.click('a[href="/access-log/emergency-accesses"]')]);
  await checkA11y(page, 'emergency accesses');
  await expectText(page, 'Crisisdienst Veiligheidshuis');
  await expectText(page, 'Corrie Minderhoud');
  await screenshot(page, 'access-log-emergency-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await checkA11y(page, 'emergency accesses (phone)');
  await screenshot(page, 'access-log-emergency-phone');
  await page.setViewportSize({ width: 1366, height: 900 });

  // What was done under it: the entries, each with the reason.
  await Promise.all([page.waitForNavigation(), page.click('#emergency-review li a')]);
  await checkA11y(page, 'entries under emergency access');
  const rows = await page.$$eval('#access-entries tbody tr', (trs) => trs.map((tr) => tr.innerText));
  if (rows.length !== 3) throw new Error(`expected 3 entries under the emergency access, got ${rows.length}`);
  if (!rows.every((r) => r.includes('Crisisdienst'))) throw new Error('an entry lacks the reason');
  await screenshot(page, 'access-log-under-emergency-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await checkA11y(page, 'entries under emergency access (phone)');
  await screenshot(page, 'access-log-under-emergency-phone');
  await page.setViewportSize({ width: 1366, height: 900 });
  const family = new URL(page.url()).searchParams.get('family');

  // The export of these entries.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const file = await download.path();
  const csv = await fs.readFile(file, 'utf8');
  const lines = csv.trim().split('\n');
  if (!lines[0].startsWith('id,at,user_id,user_name')) throw new Error(`unexpected header: ${lines[0]}`);
  if (lines.length !== 4) throw new Error(`expected 3 exported entries, got ${lines.length - 1}`);
  if (!csv.includes('Crisisdienst Veiligheidshuis')) throw new Error('the export lacks the reason');
  if (!download.suggestedFilename().endsWith('.csv')) throw new Error(`download named ${download.suggestedFilename()}`);

  // Who opened this family, per user.
  await visit(page, `/access-log?family=${family}`, 'who opened the family');
  await expectText(page, 'Wie dit gezin opende');
  await expectText(page, 'Corrie Minderhoud');

  // Refusals, by the filter form.
  await visit(page, '/access-log', 'access log again');
  await page.selectOption('#outcome', 'refused');
  await Promise.all([page.waitForNavigation(), page.click('form.form button[type="submit"]')]);
  await checkA11y(page, 'refusals');
  const outcomes = await page.$$eval('#access-entries tbody tr td:nth-child(5)', (tds) => tds.map((td) => td.innerText.trim()));
  if (!outcomes.length || !outcomes.every((o) => o === 'geweigerd')) throw new Error(`not only refusals: ${outcomes}`);

  // A privacy officer sees the log, not the file.
  const refused = await page.goto(new URL(`/families/${family}`, baseUrl).href, { waitUntil: 'load' });
  if (refused.status() !== 403) throw new Error(`the privacy officer opened the file: ${refused.status()}`);
  await logout(page);

  // The family's supervisor sees the same access for their team's family.
  await login(page, baseUrl, users.leider);
  await visit(page, '/access-log/emergency-accesses', 'emergency accesses of the team');
  await expectText(page, 'U ziet de toegang tot de gezinnen van uw team.');
  await expectText(page, 'Crisisdienst Veiligheidshuis');
  await screenshot(page, 'access-log-supervisor-desktop');
  await logout(page);
}
