// The coordinator's day and appointments: coach1 starts on their day, plans
// an appointment with a family (an overlap is warned and planned only when
// confirmed), confirms a past one as a contact with the minutes prefilled,
// finds it among the family's contacts, and makes a calendar feed.

export const name = 'appointments';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function amsterdam(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);
}

function minutesPastMidnight() {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date());
  const get = (t) => Number(parts.find((p) => p.type === t).value);
  return get('hour') * 60 + get('minute');
}

export default async function appointments(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();
  await login(page, baseUrl, users.coach1);
  if (!new URL(page.url()).pathname.startsWith('/day')) {
    throw new Error(`a coordinator starts on their day, not ${page.url()}`);
  }
  await checkA11y(page, 'day');
  await expectText(page, 'Uren deze week');

  await visit(page, '/my-families', 'my families');
  const family = await page.getAttribute('tbody tr:has(td:has-text("Uitvoering")) a[href^="/families/"], tbody tr:has(td:has-text("Kennismaking")) a[href^="/families/"]', 'href');
  if (!family) throw new Error('no family in care for coach1');
  await visit(page, family, 'family');
  await Promise.all([page.waitForNavigation(), page.click('#appointments-link')]);
  await checkA11y(page, 'appointments');

  const plan = async (on, from, to, purpose) => {
    await page.fill('#on', on);
    await page.fill('#starts-at', from);
    await page.fill('#ends-at', to);
    await page.selectOption('#kind', 'home_visit');
    await page.fill('#participants', 'moeder');
    await page.fill('#purpose', purpose);
    await Promise.all([page.waitForNavigation(), page.click('#plan-appointment')]);
  };
  // Tomorrow, after the demo's appointments end.
  await plan(amsterdam(1), '17:00', '18:00', 'Browsertest: huisbezoek');
  await expectText(page, 'De afspraak is gepland.');
  // Half an hour into it: warned, and planned once confirmed.
  await plan(amsterdam(1), '17:30', '18:30', 'Browsertest: tweede bezoek');
  await expectText(page, 'overlapt met een andere afspraak');
  await checkA11y(page, 'appointment overlap warning');
  await page.check('#confirm-overlap');
  await Promise.all([page.waitForNavigation(), page.click('#plan-appointment')]);
  await expectText(page, 'De afspraak is gepland.');

  // One of early this morning, over by now (run just after midnight, a
  // minute long, after waiting for that minute to pass).
  const long = minutesPastMidnight() >= 31 ? 30 : 1;
  while (minutesPastMidnight() < 2) await sleep(10_000);
  await plan(amsterdam(0), '00:00', long === 30 ? '00:30' : '00:01', 'Browsertest: telefoontje met school');
  await expectText(page, 'De afspraak is gepland.');

  await visit(page, '/day', 'day with the new appointment');
  const settle = 'li.appointment:has-text("Browsertest: telefoontje") a[href$="/settle"]';
  await Promise.all([page.waitForNavigation(), page.click(settle)]);
  await checkA11y(page, 'settle appointment');
  const minutes = await page.inputValue('#minutes');
  if (minutes !== String(long)) throw new Error(`minutes not prefilled from the appointment: ${minutes}`);
  await page.fill('#note', 'Browsertest: school gebeld over de rapportage');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-appointment')]);
  await expectText(page, 'De afspraak is bevestigd en als contact vastgelegd.');
  await visit(page, `${family}/contacts`, 'contacts after confirming');
  await expectText(page, 'Browsertest: school gebeld over de rapportage');

  await visit(page, '/calendar', 'calendar');
  await Promise.all([page.waitForNavigation(), page.click('#renew-calendar')]);
  await checkA11y(page, 'calendar renewed');
  const url = (await page.textContent('#calendar-url')).trim();
  const feed = await page.request.get(url);
  if (feed.status() !== 200) throw new Error(`calendar feed answered ${feed.status()}`);
  const text = await feed.text();
  if (!text.startsWith('BEGIN:VCALENDAR') || !text.includes('BEGIN:VEVENT')) {
    throw new Error(`not a calendar with events: ${text.slice(0, 200)}`);
  }
  await screenshot(page, 'calendar');
  await visit(page, '/day', 'day');
  await screenshot(page, 'day');
  await logout(page);
}
