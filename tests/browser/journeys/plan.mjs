// The family plan: the coordinator writes a plan with two goals and a network
// member, records the family's agreement, starts a new version, changes a goal
// and sees the difference; the print view shows the goals.

export const name = 'plan';

function isoToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
}

async function fillGoal(page, i, description, domain) {
  await page.fill(`#goals-${i}-description`, description);
  await page.selectOption(`#goals-${i}-domain`, domain);
  const levels = ['Geen verandering, vaak verzuim', 'Twee dagen per week', 'Vier dagen per week naar school', 'Elke dag', 'Elke dag en huiswerk zelf'];
  for (let l = 0; l < 5; l++) await page.fill(`#goals-${i}-levels-${l}`, levels[l]);
  await page.selectOption(`#goals-${i}-baseline`, '-1');
}

export default async function plan(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();
  await login(page, baseUrl, users.coach3);
  await visit(page, '/my-families', 'my families');
  // A family in care (with a phase) and without a plan yet.
  const family = await page.getAttribute('tbody tr:has(td:has-text("Plan maken")) a[href^="/families/"], tbody tr:has(td:has-text("Kennismaking")) a[href^="/families/"]', 'href');
  if (!family) throw new Error('no family in care for coach3');
  await visit(page, `${family}/plan`, 'plan (none yet)');
  await Promise.all([page.waitForNavigation(), page.click('#plan-edit')]);
  await checkA11y(page, 'plan edit');
  await page.fill('#vision', 'Weer rust in huis en de kinderen elke dag naar school.');
  await page.fill('#strengths', 'Moeder zet door; oma helpt mee.');
  await fillGoal(page, 0, 'Noor gaat elke dag naar school', 'school');
  await Promise.all([page.waitForNavigation(), page.click('button[value="more-goals"]')]);
  await fillGoal(page, 1, 'De schulden zijn in beeld', 'financial');
  await page.fill('#network-0-name', 'Oma Truus');
  await page.fill('#network-0-relation', 'grootmoeder');
  await page.fill('#network-0-part', 'Brengt de kinderen op maandag naar school');
  await page.fill('#safety-who-to-call', 'Oma Truus, daarna de gezinscoach');
  await Promise.all([page.waitForNavigation(), page.click('#plan-save')]);
  await expectText(page, 'Het plan is opgeslagen.');
  await expectText(page, 'Oma Truus');
  await checkA11y(page, 'plan draft');

  // The family agrees.
  await page.fill('#agreed-by', 'Anouk en Bas');
  await page.fill('#agreed-on', isoToday());
  await page.selectOption('#how', 'signed_on_paper');
  await Promise.all([page.waitForNavigation(), page.click('#plan-agree')]);
  await expectText(page, 'De afspraak met het gezin is vastgelegd.');
  await expectText(page, 'afgesproken');

  // A new version: change the first goal, then compare.
  await Promise.all([page.waitForNavigation(), page.click('#plan-new-draft')]);
  await page.fill('#goals-0-description', 'Noor gaat elke dag naar school en maakt haar huiswerk');
  await Promise.all([page.waitForNavigation(), page.click('#plan-save')]);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("versie 2")')]);
  await expectText(page, 'Wat is er veranderd');
  await expectText(page, 'Gewijzigd: Noor gaat elke dag naar school en maakt haar huiswerk');
  await checkA11y(page, 'plan version diff');
  await screenshot(page, 'plan-diff');

  // The PDF link gives a real PDF (its text is checked with pdftotext in the router tests).
  const pdf = await page.request.get(new URL(`${family}/plan/pdf`, baseUrl).href);
  if (pdf.status() !== 200 || pdf.headers()['content-type'] !== 'application/pdf') {
    throw new Error(`plan PDF: status ${pdf.status()}, type ${pdf.headers()['content-type']}`);
  }
  const body = await pdf.body();
  if (body.subarray(0, 5).toString() !== '%PDF-') throw new Error('plan PDF does not start with %PDF-');

  await visit(page, `${family}/plan/print`, 'plan print');
  await expectText(page, 'De schulden zijn in beeld');
  await expectText(page, 'Naam, datum en handtekening');
  await screenshot(page, 'plan-print');
  await logout(page);
}
