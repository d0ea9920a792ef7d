// Contacts and hours: the coordinator logs three contacts for a family in care,
// corrects one, and sees the hours against the budget and the weekly norm.

export const name = 'contacts';

function isoDaysAgo(days) {
  const d = new Date(Date.now() - days * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);
}

export default async function contacts(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();
  await login(page, baseUrl, users.coach4);
  await visit(page, '/my-families', 'my families');
  const family = await page.getAttribute('tbody tr:has(td:has-text("Uitvoering")) a[href^="/families/"], tbody tr:has(td:has-text("Kennismaking")) a[href^="/families/"]', 'href');
  if (!family) throw new Error('no family in care for coach4');
  await visit(page, family, 'family');
  await Promise.all([page.waitForNavigation(), page.click('#contacts-link')]);
  await checkA11y(page, 'contacts');
  const before = await page.textContent('#hours-used');
  const entries = [
    [0, '90', 'home_visit', 'Huisbezoek met moeder en oma'],
    [1, '30', 'phone_video', 'Belafspraak met school'],
    [2, '120', 'network_meeting', 'Netwerkberaad'],
  ];
  for (const [days, minutes, kind, note] of entries) {
    await page.fill('#contact-on', isoDaysAgo(days));
    await page.fill('#minutes', minutes);
    await page.selectOption('#kind', kind);
    await page.fill('#note', note);
    await Promise.all([page.waitForNavigation(), page.click('#log-contact')]);
    await expectText(page, 'Het contact is vastgelegd.');
  }
  await expectText(page, 'Netwerkberaad');
  const after = await page.textContent('#hours-used');
  if (before === after) throw new Error(`hours used did not change: ${after}`);
  // A correction keeps the old entry visible with the reason.
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Corrigeren") >> nth=0')]);
  await checkA11y(page, 'correct contact');
  await page.fill('#minutes', '45');
  await page.fill('#reason', 'Gesprek duurde korter');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]:has-text("Opslaan")')]);
  await expectText(page, 'De correctie is vastgelegd.');
  await expectText(page, 'Gesprek duurde korter');
  await checkA11y(page, 'contacts after correction');
  await screenshot(page, 'contacts');
  await logout(page);
}
