// Questionnaires through a one-time link: coach1 makes a link for a parent
// on a family's questionnaires page; the parent opens it on a phone (no
// account, a light page with no script, usable at 200 % zoom without
// sideways scrolling), answers the appreciation questionnaire, and the link
// refuses a second use; the score shows on the family's page.

export const name = 'questionnaires';

const APPRECIATION = {
  heard: 5, one_coordinator: 5, quick_start: 3, our_plan: 4, goals_clear: 4,
  network_involved: 3, coordinated: 4, too_many: 2, reachable: 5, respect: 5,
  better: 4, own_strength: 4, recommend: 5, mark: 8,
};

async function noSidewaysScroll(page, label) {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  if (scroll > inner) throw new Error(`${label}: scrolls sideways (${scroll} > ${inner} px)`);
}

export default async function questionnaires(ctx) {
  const { baseUrl, browser, users, login, visit, checkA11y, expectText, screenshot, openBrowser } = ctx;
  const page = await browser.newPage();
  await login(page, baseUrl, users.coach1);
  await visit(page, '/my-families', 'my families');
  const families = await page.$$eval(
    'tbody tr a[href^="/families/"]',
    (links) => links.map((a) => a.getAttribute('href')),
  );
  let family = null;
  for (const href of families) {
    await visit(page, `${href}/questionnaires`, 'questionnaires');
    if (await page.$('li:has-text("Wat vindt u van de hulp?") button:has-text("Link voor de ouder")')) {
      family = href;
      break;
    }
  }
  if (!family) throw new Error('no family of coach1 with the appreciation questionnaire due');
  await screenshot(page, 'questionnaires-family');
  await Promise.all([
    page.waitForNavigation(),
    page.click('li:has-text("Wat vindt u van de hulp?") button:has-text("Link voor de ouder")'),
  ]);
  await checkA11y(page, 'one-time link made');
  await expectText(page, 'Deze link wordt maar één keer getoond');
  if (!(await page.$('.qr svg'))) throw new Error('no QR code for the link');
  await screenshot(page, 'questionnaires-link-made');
  const link = await page.getAttribute('#one-time-link', 'href');
  if (!/\/q\/[0-9a-f]{64}$/.test(link)) throw new Error(`not a one-time link: ${link}`);

  // The parent's phone: another browser, no account.
  const phone = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const parent = await phone.newPage();
    const transferred = [];
    parent.on('response', async (r) => {
      try { transferred.push((await r.body()).length); } catch { /* redirects have no body */ }
    });
    const res = await parent.goto(link, { waitUntil: 'load' });
    if (res.status() !== 200) throw new Error(`the link answers ${res.status()}`);
    // Before the accessibility check, which brings a script of its own.
    if (await parent.$('script')) throw new Error('the link page has a script');
    await checkA11y(parent, 'questionnaire through a link (phone)');
    await expectText(parent, 'Wat vindt u van de hulp?');
    if (await parent.$('nav, a[href^="/families"]')) throw new Error('the link page shows more than the questionnaire');
    const weight = transferred.reduce((a, b) => a + b, 0);
    if (weight >= 50 * 1024) throw new Error(`the link page weighs ${weight} bytes`);
    console.log(`  the link page weighs ${weight} bytes in ${transferred.length} responses`);
    await noSidewaysScroll(parent, 'phone');
    await screenshot(parent, 'questionnaires-link-phone');
    // 200 % zoom on this phone lays the page out at half its width.
    await parent.setViewportSize({ width: 195, height: 422 });
    await noSidewaysScroll(parent, '200 % zoom');
    await screenshot(parent, 'questionnaires-link-zoom');
    await parent.setViewportSize({ width: 390, height: 844 });

    for (const [item, value] of Object.entries(APPRECIATION)) {
      await parent.check(`#answers-${item.replaceAll('_', '-')}-${value}`);
    }
    await parent.fill('#answers-comment', 'Browsertest: fijn dat er één vaste coach was.');
    await Promise.all([parent.waitForNavigation(), parent.click('#send-answers')]);
    await expectText(parent, 'Dank u wel!');
    await checkA11y(parent, 'link answered');

    // A second visit, and a second submission from the back button.
    const again = await parent.goto(link, { waitUntil: 'load' });
    if (again.status() !== 409) throw new Error(`a used link answers ${again.status()}`);
    await expectText(parent, 'Deze vragenlijst is al ingevuld');
    await checkA11y(parent, 'used link');
  } finally {
    await phone.close();
  }

  await visit(page, `${family}/questionnaires`, 'questionnaires after the answer');
  await expectText(page, 'Rapportcijfer');
  await expectText(page, 'Zelf, via een eenmalige link');
  const mark = await page.textContent('tr:has(th:has-text("Rapportcijfer")) td:nth-of-type(2)');
  if (!/8[,.]0/.test(mark || '')) throw new Error(`the mark is not shown as the latest: ${mark}`);
  await screenshot(page, 'questionnaires-family-after');
}
