// Service modules: a coordinator refers a family to a residential module,
// records its start, tries an end before the start (refused next to the
// field), ends it properly and sees the nights; logs three contacts and sees
// the hours against the norms; reads the family's timeline (with and without
// the contacts) and the costs of care. The timeline and the modules page are
// checked again at phone width for horizontal overflow.

export const name = 'modules';

const MODULE = 'Logeerhuis De Boomgaard';
// Coordinators to try, in order: coach5 is used by no other journey; the
// contacts journey logs contacts for coach4's first family, coach1's families
// are only looked at by the tour.
const COORDINATORS = ['coach5', 'coach4', 'coach1', 'coach2', 'coach3'];

const PHONE = { width: 390, height: 844 };

function isoDaysAgo(days) {
  const d = new Date(Date.now() - days * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(d);
}

/** "2026-11-22" -> "22-11-2026", as the Dutch pages print dates. */
function nlDate(iso) {
  const [y, m, d] = iso.split('-');
  return `${d}-${m}-${y}`;
}

function daysBetween(fromIso, toIso) {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86400000);
}

/** Hours used from the #hours-used text ("12,5 van 40,0 uur (31%)"). */
function parseHours(text) {
  const m = /(\d+(?:[.,]\d+)?)/.exec(String(text));
  if (!m) throw new Error(`no hours figure in "${text}"`);
  return Number(m[1].replace(',', '.'));
}

/** Submit the form holding `selector` with its submit button; returns the response. */
async function submitFormOf(page, selector) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator(`form:has(${selector}) button[type=submit]`).first().click(),
  ]);
  return res;
}

/** Open the <details> around `selector` (by clicking its summary) if it is closed. */
async function openDetailsOf(page, selector) {
  if (await page.isVisible(selector)) return;
  await page.locator(`details:has(${selector}) > summary`).first().click();
  await page.waitForSelector(selector, { state: 'visible' });
}

/** Ids of the referrals on the modules page that still have step forms. */
async function referralIdsWithForms(page) {
  return await page.$$eval('#module-referrals form[action*="/modules/"]', (forms) =>
    [...new Set(forms.map((f) => (/\/modules\/(\d+)\//.exec(f.getAttribute('action')) || [])[1]).filter(Boolean))],
  );
}

async function rowOf(page, referralId) {
  const row = page.locator(`#module-referrals > li:has(form[action$="/modules/${referralId}/end"]), #module-referrals > li:has(form[action$="/modules/${referralId}/start"])`);
  return row.first();
}

async function noOverflow(page, what, viewport) {
  // As the tour measures it, but against the width left next to a vertical
  // scrollbar (clientWidth), so a scrollbar cannot hide up to 15px of overflow.
  const overflow = await page.evaluate(() => {
    const de = document.documentElement;
    return de.scrollWidth - Math.min(de.clientWidth, window.innerWidth);
  });
  if (overflow > 1) {
    const wide = await page.evaluate(() => {
      const w = Math.min(document.documentElement.clientWidth, window.innerWidth);
      return [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > w + 1 && !el.parentElement?.closest('.table-wrap'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)}px)`);
    });
    throw new Error(`${what}: the page is ${overflow}px wider than a ${viewport.width}px screen; sticking out: ${wide.join(', ')}`);
  }
}

export default async function modules(ctx) {
  const { baseUrl, browser, users, login, logout, visit, checkA11y, expectText, screenshot, openBrowser } = ctx;
  const page = await browser.newPage();
  const stamp = Date.now().toString(36);

  const requestedOn = isoDaysAgo(5);
  const startedOn = isoDaysAgo(3);
  const endedOn = isoDaysAgo(0);
  const tooEarly = isoDaysAgo(4); // before the start
  const nights = daysBetween(startedOn, endedOn);

  // ------------------------------------------------ pick a family and a child
  let coordinator = null;
  let familyUrl = null;
  let referralId = null;
  let childName = null;
  const tried = [];

  pick: for (const who of COORDINATORS) {
    await login(page, baseUrl, users[who]);
    await visit(page, '/my-families', `my families (${who})`);
    // Families in the carrying-out phase first, then the others.
    const families = await page.$$eval('tbody tr', (rows) => {
      const list = rows
        .map((tr) => ({ href: tr.querySelector('a[href^="/families/"]')?.getAttribute('href'), text: tr.innerText }))
        .filter((r) => r.href && /^\/families\/\d+$/.test(r.href));
      return [...list.filter((r) => /Uitvoering/.test(r.text)), ...list.filter((r) => !/Uitvoering/.test(r.text))].map((r) => r.href);
    });
    for (const family of families) {
      await visit(page, family, `family (${who})`);
      if ((await page.locator('#modules-link').count()) === 0) {
        tried.push(`${who} ${family}: no #modules-link`);
        continue;
      }
      await Promise.all([page.waitForNavigation(), page.click('#modules-link')]);
      await checkA11y(page, 'family modules');
      if ((await page.locator('#request-module').count()) === 0) {
        tried.push(`${who} ${family}: no request form`);
        continue;
      }
      const moduleValue = await page.$$eval(
        '#module-id option',
        (opts, wanted) => opts.find((o) => o.textContent.includes(wanted))?.value || null,
        MODULE,
      );
      if (!moduleValue) throw new Error(`"${MODULE}" is not in the module list on ${page.url()}`);
      const children = await page.$$eval('input[name=children]', (els) =>
        els.map((el) => ({ id: el.id, name: document.querySelector(`label[for="${el.id}"]`)?.textContent.trim() })),
      );
      for (const child of children) {
        // Request the stay for this one child.
        const before = new Set(await referralIdsWithForms(page));
        await page.selectOption('#module-id', moduleValue);
        for (const c of children) {
          if (c.id === child.id) await page.check(`#${c.id}`);
          else await page.uncheck(`#${c.id}`);
        }
        const goal = await page.$$eval('#goal-key option', (opts) => opts.map((o) => o.value).find(Boolean) || '');
        if (goal) await page.selectOption('#goal-key', goal);
        await page.fill('#requested-on', requestedOn);
        await page.fill('#note', `Weekendlogeren om ouders te ontlasten (${stamp})`);
        const requested = await submitFormOf(page, '#request-module');
        if (requested && requested.status() >= 400) {
          throw new Error(`requesting ${MODULE} for ${child.name} returned HTTP ${requested.status()}: ${(await page.innerText('main')).slice(0, 400)}`);
        }
        await expectText(page, 'De module is aangevraagd.');
        await checkA11y(page, 'module requested');
        const fresh = (await referralIdsWithForms(page)).filter((id) => !before.has(id));
        if (fresh.length !== 1) throw new Error(`expected one new referral row, found ${JSON.stringify(fresh)} on ${page.url()}`);
        const id = fresh[0];
        const row = await rowOf(page, id);
        const rowText = await row.innerText();
        for (const want of [MODULE, child.name, 'aangevraagd', `Aangevraagd op ${nlDate(requestedOn)}`]) {
          if (!rowText.includes(want)) throw new Error(`new referral row lacks "${want}": "${rowText}"`);
        }

        // Record the start; the child may already be staying elsewhere.
        await openDetailsOf(page, `#start-${id}-on`);
        await page.fill(`#start-${id}-on`, startedOn);
        const started = await submitFormOf(page, `#start-${id}-on`);
        if (started && started.status() === 422) {
          const error = await page.locator(`#start-${id}-on-error`).innerText().catch(() => '');
          if (!/al ergens anders/.test(error)) {
            throw new Error(`starting ${MODULE} on ${startedOn} was refused: "${error || (await page.innerText('main')).slice(0, 400)}"`);
          }
          tried.push(`${who} ${family} ${child.name}: already staying elsewhere`);
          await checkA11y(page, 'module start refused (overlap)');
          // Withdraw the request (ended as "not started") and try the next child.
          await openDetailsOf(page, `#end-${id}-on`);
          await page.fill(`#end-${id}-on`, endedOn);
          await page.selectOption(`#end-${id}-reason`, 'not_started');
          await submitFormOf(page, `#end-${id}-on`);
          await expectText(page, 'Het einde is vastgelegd.');
          continue;
        }
        if (started && started.status() >= 400) {
          throw new Error(`recording the start returned HTTP ${started.status()}: ${(await page.innerText('main')).slice(0, 400)}`);
        }
        await expectText(page, 'De start is vastgelegd.');
        coordinator = who;
        familyUrl = family;
        referralId = id;
        childName = child.name;
        break pick;
      }
      tried.push(`${who} ${family}: no child could start a stay`);
    }
    await logout(page);
  }
  if (!referralId) throw new Error(`no family to refer to ${MODULE}; tried: ${tried.join('; ')}`);
  const modulesUrl = `${familyUrl}/modules`;
  console.log(`  ${coordinator}: ${familyUrl}, referral ${referralId} for ${childName}`);

  // ----------------------------------------------------------- started
  await checkA11y(page, 'module started');
  let row = await rowOf(page, referralId);
  let rowText = await row.innerText();
  if (!rowText.includes('gestart') || !rowText.includes(`Gestart op ${nlDate(startedOn)}`)) {
    throw new Error(`started row does not show the start on ${nlDate(startedOn)}: "${rowText}"`);
  }
  if ((await row.locator(`#start-${referralId}-on`).count()) !== 0) {
    throw new Error('a started module still offers "Start vastleggen"');
  }
  // A stay's nights follow from its dates: no delivered-units form.
  if ((await row.locator('form[action$="/deliveries"]').count()) !== 0) {
    throw new Error('a residential stay offers a form for delivered units');
  }

  // ----------------------------------------------- end before the start
  await openDetailsOf(page, `#end-${referralId}-on`);
  await page.fill(`#end-${referralId}-on`, tooEarly);
  await page.selectOption(`#end-${referralId}-reason`, 'completed');
  const refused = await submitFormOf(page, `#end-${referralId}-on`);
  if (!refused || refused.status() !== 422) {
    throw new Error(`an end (${tooEarly}) before the start (${startedOn}) was answered with HTTP ${refused && refused.status()}, expected 422`);
  }
  await checkA11y(page, 'module end refused');
  const endInput = page.locator(`#end-${referralId}-on`);
  if (!(await endInput.isVisible())) throw new Error('after the refused end, its form is not shown open');
  if ((await endInput.inputValue()) !== tooEarly) {
    throw new Error(`the refused end date was not kept in the field: "${await endInput.inputValue()}"`);
  }
  if ((await endInput.getAttribute('aria-invalid')) !== 'true') throw new Error('the refused end date is not marked aria-invalid');
  const describedBy = await endInput.getAttribute('aria-describedby');
  if (describedBy !== `end-${referralId}-on-error`) {
    throw new Error(`the end date field is described by "${describedBy}", not by its error`);
  }
  const fieldError = page.locator(`.field:has(#end-${referralId}-on) #end-${referralId}-on-error`);
  if (!(await fieldError.isVisible())) throw new Error('no visible error next to the end date field');
  const fieldErrorText = await fieldError.innerText();
  if (!fieldErrorText.includes('Een module kan niet eindigen voordat hij begint.')) {
    throw new Error(`unexpected error next to the end date: "${fieldErrorText}"`);
  }
  row = await rowOf(page, referralId);
  rowText = await row.innerText();
  if (rowText.includes('beëindigd')) throw new Error(`the refused end was recorded anyway: "${rowText}"`);

  // ------------------------------------------------------- end properly
  await page.fill(`#end-${referralId}-on`, endedOn);
  await page.selectOption(`#end-${referralId}-reason`, 'completed');
  const ended = await submitFormOf(page, `#end-${referralId}-on`);
  if (ended && ended.status() >= 400) {
    throw new Error(`ending the stay returned HTTP ${ended.status()}: ${(await page.innerText('main')).slice(0, 400)}`);
  }
  await expectText(page, 'Het einde is vastgelegd.');
  await checkA11y(page, 'module ended');
  // An ended referral has no forms left; find its row by module, child and dates.
  const endedRow = page
    .locator('#module-referrals > li')
    .filter({ hasText: MODULE })
    .filter({ hasText: childName })
    .filter({ hasText: `Gestart op ${nlDate(startedOn)}` })
    .filter({ hasText: `Beëindigd op ${nlDate(endedOn)}` });
  if ((await endedRow.count()) < 1) {
    throw new Error(`no ended ${MODULE} row for ${childName} from ${nlDate(startedOn)} to ${nlDate(endedOn)}`);
  }
  const endedText = await endedRow.last().innerText();
  if (!endedText.includes('beëindigd') || !endedText.includes('(afgerond)')) {
    throw new Error(`ended row does not say "beëindigd … (afgerond)": "${endedText}"`);
  }
  const unitsCell = (await endedRow.last().locator('.units').innerText()).replace(/\s+/g, ' ').trim();
  if (unitsCell !== `${nights} × nacht`) {
    throw new Error(`units cell shows "${unitsCell}", expected "${nights} × nacht" (${startedOn} to ${endedOn})`);
  }
  const costCell = (await endedRow.last().locator('.cost').innerText()).replace(/\s+/g, ' ').trim();
  if (!/€\s?\d/.test(costCell) || /^€\s?0,00$/.test(costCell)) throw new Error(`the stay costs nothing: "${costCell}"`);
  await screenshot(page, 'modules');

  // ----------------------------------------------------------- contacts
  await visit(page, familyUrl, 'family');
  for (const link of ['#modules-link', '#timeline-link', '#costs-link', '#contacts-link']) {
    if ((await page.locator(link).count()) !== 1) throw new Error(`family page has no ${link}`);
  }
  await Promise.all([page.waitForNavigation(), page.click('#contacts-link')]);
  await checkA11y(page, 'contacts');
  const hoursBefore = parseHours(await page.textContent('#hours-used'));
  const entries = [
    [2, '60', 'home_visit', 'Moeder, vader', `Huisbezoek na het logeren (${stamp})`],
    [1, '45', 'provider_meeting', 'Logeerhuis', `Overleg met het logeerhuis (${stamp})`],
    [0, '30', 'phone_video', 'Moeder', `Terugblik op het logeren (${stamp})`],
  ];
  for (const [days, minutes, kind, participants, note] of entries) {
    await page.fill('#contact-on', isoDaysAgo(days));
    await page.fill('#minutes', minutes);
    await page.selectOption('#kind', kind);
    await page.fill('#participants', participants);
    await page.fill('#note', note);
    await Promise.all([page.waitForNavigation(), page.click('#log-contact')]);
    await expectText(page, 'Het contact is vastgelegd.');
    await expectText(page, note);
  }
  await checkA11y(page, 'contacts logged');
  const hoursAfter = parseHours(await page.textContent('#hours-used'));
  const logged = entries.reduce((sum, e) => sum + Number(e[1]), 0) / 60;
  if (!(hoursAfter > hoursBefore)) throw new Error(`hours used did not rise: ${hoursBefore} -> ${hoursAfter}`);
  if (Math.abs(hoursAfter - hoursBefore - logged) > 0.11) {
    throw new Error(`hours used rose by ${(hoursAfter - hoursBefore).toFixed(2)}, expected about ${logged.toFixed(2)}`);
  }
  // The norms: the weekly norm and the chart of hours per week against it.
  await expectText(page, 'Norm per week');
  const chart = page.locator('svg.chart[role=img]');
  if ((await chart.count()) !== 1) throw new Error('no chart of hours per week on the contacts page');
  const chartTitle = await chart.locator('title').textContent();
  if (!chartTitle || !chartTitle.includes('Uren per week')) throw new Error(`chart has no title: "${chartTitle}"`);
  if ((await chart.locator('rect.chart__bar').count()) < 1) throw new Error('the chart has no bars');
  if ((await chart.locator('line.chart__norm').count()) !== 1) throw new Error('the chart has no norm line');

  // ----------------------------------------------------------- timeline
  await visit(page, familyUrl, 'family');
  await Promise.all([page.waitForNavigation(), page.click('#timeline-link')]);
  await checkA11y(page, 'timeline');
  const items = await page.$$eval('#timeline > li', (lis) =>
    lis.map((li) => ({
      cls: li.className,
      on: li.querySelector('time')?.getAttribute('datetime') || null,
      text: li.innerText.replace(/\s+/g, ' ').trim(),
    })),
  );
  if (items.length === 0) throw new Error('the timeline is empty');
  const missingTime = items.filter((i) => !i.on || !/^\d{4}-\d{2}-\d{2}/.test(i.on));
  if (missingTime.length) throw new Error(`timeline items without a <time datetime>: ${JSON.stringify(missingTime.slice(0, 3))}`);
  for (let i = 1; i < items.length; i++) {
    if (items[i].on < items[i - 1].on) {
      throw new Error(`timeline out of order at item ${i + 1}: ${items[i - 1].on} ("${items[i - 1].text}") before ${items[i].on} ("${items[i].text}")`);
    }
  }
  const expectItem = (kindClass, label, on, ...texts) => {
    const hit = items.find((i) => i.cls.includes(`timeline__item--${kindClass}`) && i.on.startsWith(on) && i.text.includes(label) && texts.every((t) => i.text.includes(t)));
    if (!hit) {
      const near = items.filter((i) => i.cls.includes(kindClass)).slice(-4).map((i) => `${i.on} "${i.text}"`);
      throw new Error(`timeline lacks "${label}" on ${on} with ${JSON.stringify(texts)}; ${kindClass} items: ${near.join(' | ') || 'none'}`);
    }
    return hit;
  };
  expectItem('module_requested', 'Module aangevraagd', requestedOn, MODULE, childName);
  expectItem('module_started', 'Module gestart', startedOn, MODULE, childName);
  expectItem('module_ended', 'Module beëindigd', endedOn, MODULE, childName, 'afgerond');
  for (const [days, minutes, , , note] of entries) {
    expectItem('contact', 'Contact', isoDaysAgo(days), note, `${minutes} min`);
  }
  await screenshot(page, 'timeline');

  // Main steps only: the contacts go, the module steps stay.
  const withoutLink = page.locator('nav.filter a[href$="?without=contacts"]');
  if ((await withoutLink.count()) !== 1) throw new Error('no "?without=contacts" filter link on the timeline');
  await Promise.all([page.waitForNavigation(), withoutLink.click()]);
  if (!page.url().endsWith('?without=contacts')) throw new Error(`the filter link led to ${page.url()}`);
  await checkA11y(page, 'timeline without contacts');
  const current = await page.locator('nav.filter [aria-current=page]').innerText();
  if (!current.includes('Alleen de hoofdstappen')) throw new Error(`the filter marks "${current}" as current`);
  if ((await page.locator('#timeline > li.timeline__item--contact').count()) !== 0) {
    throw new Error('the timeline without contacts still lists contacts');
  }
  for (const cls of ['module_requested', 'module_started', 'module_ended']) {
    const n = await page.locator(`#timeline > li.timeline__item--${cls}`).filter({ hasText: MODULE }).count();
    if (n < 1) throw new Error(`the timeline without contacts lost the ${cls} entries`);
  }
  const filtered = await page.$$eval('#timeline > li time', (ts) => ts.map((t) => t.getAttribute('datetime')));
  for (let i = 1; i < filtered.length; i++) {
    if (filtered[i] < filtered[i - 1]) throw new Error(`filtered timeline out of order: ${filtered[i - 1]} before ${filtered[i]}`);
  }

  // -------------------------------------------------------------- costs
  await visit(page, familyUrl, 'family');
  await Promise.all([page.waitForNavigation(), page.click('#costs-link')]);
  await checkA11y(page, 'costs');
  const line = page.locator('#costs tbody tr').filter({ has: page.locator('th', { hasText: MODULE }) });
  if ((await line.count()) !== 1) throw new Error(`the costs table has ${await line.count()} line(s) for ${MODULE}`);
  const lineUnits = (await line.locator('td').nth(0).innerText()).replace(/\s+/g, ' ').trim();
  const unitsMatch = /^(\d+) × nacht/.exec(lineUnits);
  if (!unitsMatch || Number(unitsMatch[1]) < nights) {
    throw new Error(`the ${MODULE} cost line shows "${lineUnits}", expected at least ${nights} × nacht`);
  }
  const lineCost = (await line.locator('td').nth(1).innerText()).trim();
  if (!/€\s?\d/.test(lineCost) || /^€\s?0,00$/.test(lineCost)) throw new Error(`the ${MODULE} cost line is "${lineCost}"`);
  const total = (await page.locator('#costs-total').innerText()).trim();
  const totalCents = Number(total.replace(/[^\d]/g, ''));
  if (!/€/.test(total) || !(totalCents > 0)) throw new Error(`the costs total is "${total}"`);
  await screenshot(page, 'costs');
  await logout(page);

  // --------------------------------------------------- at phone width
  const phone = await openBrowser({ viewport: PHONE });
  try {
    const small = await phone.newPage();
    await login(small, baseUrl, users[coordinator]);
    for (const [path, label] of [
      [`${familyUrl}/timeline`, 'timeline'],
      [`${familyUrl}/timeline?without=contacts`, 'timeline without contacts'],
      [modulesUrl, 'family modules'],
    ]) {
      await visit(small, path, `${label} @${PHONE.width}`);
      try {
        await noOverflow(small, label, PHONE);
      } catch (err) {
        await screenshot(small, `FAIL-modules-phone-${label}`);
        throw err;
      }
    }
    await logout(small);
  } finally {
    await phone.close();
  }
}
