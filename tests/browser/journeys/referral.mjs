// The foundation journey: intake submits a referral, the supervisor accepts it
// and assigns a coordinator with room, the coordinator finds the family in
// "my families" and records the start of help. Every page on the way gets the
// accessibility scan.

export const name = 'referral';

function isoToday() {
  // The server counts days in Europe/Amsterdam; so does this journey.
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
}

export default async function referral(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();
  const surname = `Journeyman${Date.now() % 100000}`;
  const today = isoToday();

  // Intake submits.
  await login(page, baseUrl, users.intake);
  await visit(page, '/referrals', 'my referrals');
  await page.click('#new-referral');
  await checkA11y(page, 'new referral form');
  await page.selectOption('#programme-id', { label: 'Wraparound Care Amersfoort' });
  await page.selectOption('#source', 'cjg');
  await page.selectOption('#urgency', 'high');
  await page.fill('#received-on', today);
  await page.fill('#referrer-name', 'T. Smulders (CJG)');
  await page.fill('#referrer-contact', '033-4567890');
  await page.fill('#reason', 'Eerdere hulp liep vast; gezin vraagt één vaste hulpverlener.');
  await page.fill('#city', 'Amersfoort');
  await page.fill('#members-0-given-name', 'Petra');
  await page.fill('#members-0-family-name', surname);
  await page.selectOption('#members-0-role', 'parent');
  await page.check('#members-0-parental-authority');
  await page.fill('#members-1-given-name', 'Daan');
  await page.fill('#members-1-family-name', surname);
  await page.selectOption('#members-1-role', 'child');
  await page.fill('#members-1-birth-date', '2016-04-12');
  await page.fill('#members-1-bsn', '111222333');
  await Promise.all([page.waitForNavigation(), page.click('#submit-referral')]);
  await expectText(page, 'De aanmelding is verstuurd.');
  await expectText(page, 'ingediend');
  await checkA11y(page, 'referral status');
  await logout(page);

  // The supervisor screens and accepts, then assigns a coordinator with room.
  await login(page, baseUrl, users.leider);
  await visit(page, '/screening', 'screening');
  await Promise.all([page.waitForNavigation(), page.click(`text=Gezin ${surname}`)]);
  await checkA11y(page, 'referral detail');
  await expectText(page, '••••••333');
  await Promise.all([page.waitForNavigation(), page.click('#accept')]);
  await expectText(page, 'staat op de wachtlijst');
  await checkA11y(page, 'family waiting');
  await Promise.all([page.waitForNavigation(), page.click('#assign-link')]);
  await checkA11y(page, 'assign');
  await screenshot(page, 'referral-assign');
  await page.check('label:has-text("Youssef Amrani")');
  await Promise.all([page.waitForNavigation(), page.click('#assign')]);
  await expectText(page, 'De gezinscoach is toegewezen.');
  await expectText(page, 'Youssef Amrani');
  await logout(page);

  // The coordinator finds the family and records the start of help.
  await login(page, baseUrl, users.coach2);
  await visit(page, '/my-families', 'my families');
  await Promise.all([page.waitForNavigation(), page.click(`text=Gezin ${surname}`)]);
  await page.fill('#started-on', today);
  await Promise.all([page.waitForNavigation(), page.click('#start-help')]);
  await expectText(page, 'De start van de hulp is vastgelegd.');
  await expectText(page, 'in zorg');
  await expectText(page, '0 dagen');
  await checkA11y(page, 'family in care');
  await screenshot(page, 'referral-in-care');
  await logout(page);
}
