// The weekly team meeting: the supervisor opens this week's meeting with the
// proposed agenda (families with signals, a question put forward), records
// the discussion and a decision as an action item (refused without an owner),
// opens the next week's meeting and finds the action there until it is done.

export const name = 'meetings';

function amsterdam(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);
}

export default async function meetings(ctx) {
  const { baseUrl, browser, users, login, visit, checkA11y, expectText, screenshot } = ctx;
  const page = await browser.newPage();
  await login(page, baseUrl, users.leider);

  await visit(page, '/meetings', 'meetings');
  await checkA11y(page, 'meetings');
  await expectText(page, 'Voorgestelde agenda');
  const proposed = await page.locator('ol.agenda-proposal > li').count();
  if (proposed < 2) throw new Error(`the proposed agenda lists ${proposed} families`);
  await expectText(page, 'intervisievraag');

  // This week's meeting, chaired by the supervisor, opened with the proposal.
  const open = async (on) => {
    await page.fill('#held-on', on);
    await page.selectOption('#chair-worker-id', { label: 'Marjolein van Dam' });
    await Promise.all([page.waitForNavigation(), page.click('#open-meeting')]);
    if (!/\/meetings\/\d+/.test(new URL(page.url()).pathname)) {
      throw new Error(`opening a meeting for ${on} did not lead to it: ${page.url()}`);
    }
  };
  await open(amsterdam(0));
  await expectText(page, 'Het overleg is geopend');
  await checkA11y(page, 'meeting');
  const items = await page.locator('section.agenda-item').count();
  if (items !== proposed) throw new Error(`the meeting has ${items} items, the proposal ${proposed}`);
  await screenshot(page, 'meeting');

  // The first item: its discussion and a decision.
  const first = page.locator('section.agenda-item').first();
  const itemId = (await first.getAttribute('id')).replace('item-', '');
  const family = (await first.locator('h2').innerText()).split('\n')[0].replace(/^1\.\s*/, '').replace(/\s*(signalen|intervisievraag)\s*$/, '');
  const form = first.locator('details.discussion-form');
  if (!(await form.getAttribute('open') !== null)) await form.locator('summary').click();
  await page.fill(`#item-${itemId}-notes`, 'Browsertest: moeder wil eerst zelf met school praten.');
  await page.fill(`#item-${itemId}-advice`, 'Browsertest: samen een gesprek voorbereiden.');
  await Promise.all([page.waitForNavigation(), first.locator('form[action$="/discussion"] button[type=submit]').click()]);
  await expectText(page, 'Browsertest: moeder wil eerst zelf met school praten.');

  // A decision due before the meeting is refused by the field, nothing stored.
  const item = (sel) => page.locator(`#item-${itemId} ${sel}`);
  const owner = await page.locator(`#item-${itemId}-owner-worker-id option`).nth(1).innerText();
  await page.fill(`#item-${itemId}-description`, 'Browsertest: gesprek met school voorbereiden');
  await page.selectOption(`#item-${itemId}-owner-worker-id`, { index: 1 });
  await page.fill(`#item-${itemId}-due-on`, amsterdam(-3));
  await Promise.all([page.waitForNavigation(), item('form[action$="/actions"] button[type=submit]').click()]);
  await expectText(page, 'De datum ligt vóór het overleg.');
  await checkA11y(page, 'action due before the meeting');
  if ((await page.locator('li.action-item', { hasText: 'Browsertest: gesprek' }).count()) !== 0) {
    throw new Error('a refused action item was stored');
  }
  await page.fill(`#item-${itemId}-due-on`, amsterdam(5));
  await Promise.all([page.waitForNavigation(), item('form[action$="/actions"] button[type=submit]').click()]);
  await expectText(page, 'Het actiepunt is vastgelegd.');
  await expectText(page, 'Browsertest: gesprek met school voorbereiden');

  // Next week's meeting brings the open action back, with where it came from.
  await visit(page, '/meetings', 'meetings after the first');
  await open(amsterdam(7));
  const earlier = page.locator('#earlier-actions').locator('..');
  const back = earlier.locator('li.action-item', { hasText: 'Browsertest: gesprek met school voorbereiden' });
  if ((await back.count()) !== 1) throw new Error('the open action is not on the next meeting');
  const text = await back.innerText();
  if (!text.includes(owner.trim())) throw new Error(`the action does not name its owner ${owner}: ${text}`);
  if (family && !text.includes(family.trim())) throw new Error(`the action does not name ${family}: ${text}`);
  await checkA11y(page, 'next meeting');

  // Done: it leaves the open list.
  await Promise.all([page.waitForNavigation(), back.locator('button[type=submit]').click()]);
  const still = await page
    .locator('#earlier-actions')
    .locator('..')
    .locator('li.action-item', { hasText: 'Browsertest: gesprek met school voorbereiden' })
    .count();
  if (still !== 0) throw new Error('a done action is still open on the next meeting');

  // The printed agenda and minutes hold the decision, without forms.
  await visit(page, `/meetings`, 'meetings list');
  await page.setViewportSize({ width: 390, height: 844 });
  await checkA11y(page, 'meetings at phone width');
  await page.close();
}
