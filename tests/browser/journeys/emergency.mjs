// Emergency access: a coordinator without a need to know is refused a family
// file, breaks the glass with a reason, reads the file (without its forms),
// and the family's supervisor sees that access on the family page.

export const name = 'emergency';

export default async function emergency(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();

  // A family that coach2 coordinates, which coach1 has no need to know.
  await login(page, baseUrl, users.coach2);
  await visit(page, '/my-families', 'coach2 families');
  const family = await page.getAttribute('tbody a[href^="/families/"]', 'href');
  if (!family) throw new Error('coach2 has no family');
  await logout(page);

  await login(page, baseUrl, users.coach1);
  const refused = await page.goto(new URL(family, baseUrl).href, { waitUntil: 'load' });
  if (refused.status() !== 404) throw new Error(`expected 404 for coach1, got ${refused.status()}`);
  await checkA11y(page, 'emergency form');
  await expectText(page, 'Openen met noodtoegang');
  // Without a reason nothing opens.
  await page.$eval('#reason', (el) => el.removeAttribute('required'));
  await Promise.all([page.waitForNavigation(), page.click('#break-glass')]);
  await expectText(page, 'Vul dit veld in.');
  await checkA11y(page, 'emergency form with error');
  await page.fill('#reason', 'Crisismelding in de nacht, de eigen coördinator is niet bereikbaar');
  await Promise.all([page.waitForNavigation(), page.click('#break-glass')]);
  await expectText(page, 'Het dossier is 24 uur voor u open.');
  await expectText(page, 'U hebt dit dossier geopend met noodtoegang.');
  await checkA11y(page, 'family under emergency access');
  if (await page.$('form[action$="/close"]')) throw new Error('emergency access shows a form that changes the file');
  await screenshot(page, 'emergency-family-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'emergency-family-phone');
  await page.setViewportSize({ width: 1366, height: 900 });
  await logout(page);

  await login(page, baseUrl, users.leider);
  await visit(page, family, 'family with an emergency access');
  await expectText(page, 'Geopend met noodtoegang');
  await expectText(page, 'Crisismelding in de nacht');
  await screenshot(page, 'emergency-seen-by-supervisor');
  await logout(page);
}
