// A tour of every page each role can open, with the accessibility scan on
// each, at desktop width and again at phone width, in Dutch and in English.

export const name = 'tour';

const PAGES = {
  admin: ['/admin/users', '/admin/users/1', '/admin/organisations', '/admin/programmes', '/admin/programmes/1', '/admin/programmes/1/questionnaires', '/admin/teams', '/admin/workers', '/modules', '/modules/1', '/figures'],
  leider: ['/screening', '/waiting-list', '/families', '/families?q=de', '/caseloads', '/signals', '/signals?urgency=watch', '/modules', '/modules/2', '/figures', '/programmes/1/costs'],
  coach1: ['/caseloads', '/signals', '/modules', '/figures', '/my-families'],
  intake: ['/referrals', '/referrals/new'],
  analist: ['/figures', '/figures?grain=month&team=1', '/figures?grain=rolling_12', '/programmes/2/costs'],
};

async function firstLink(page, selector) {
  const href = await page.getAttribute(selector, 'href').catch(() => null);
  if (!href) throw new Error(`no link ${selector} on ${page.url()}`);
  return href;
}

export default async function tour(ctx) {
  const { baseUrl, users, login, logout, visit, openBrowser, expectText } = ctx;
  for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
    const browser = await openBrowser({ viewport });
    try {
      const page = await browser.newPage();
      for (const [who, paths] of Object.entries(PAGES)) {
        await login(page, baseUrl, users[who]);
        // The page's own width, next to the scrollbar: nothing may stick out sideways.
        const noOverflow = async (label) => {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          if (overflow > 1) throw new Error(`${label}: the page is ${overflow}px wider than a ${viewport.width}px screen`);
        };
        for (const path of paths) {
          await visit(page, path, `${who} ${path} @${viewport.width}`);
          await noOverflow(`${who} ${path}`);
        }
        if (who === 'leider') {
          // The pages behind the lists: a referral to screen, a family and its assignment page.
          await visit(page, '/screening', 'screening');
          await visit(page, await firstLink(page, 'table a[href^="/referrals/"]'), 'referral detail');
          await visit(page, '/waiting-list', 'waiting list');
          const family = await firstLink(page, 'table a[href^="/families/"]');
          await visit(page, family, 'family');
          await visit(page, `${family}/assign`, 'assign');
        }
        if (who === 'coach1') {
          const family = await firstLink(page, 'table a[href^="/families/"]');
          for (const path of [family, `${family}/modules`, `${family}/timeline?without=contacts`, `${family}/costs`]) {
            await visit(page, path, `own family ${path.slice(family.length) || 'page'} @${viewport.width}`);
            await noOverflow(`coach1 ${path}`);
          }
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) throw new Error(`${who}: the page is ${overflow}px wider than a ${viewport.width}px screen`);
        await logout(page);
      }
      // English, switched from the header.
      await login(page, baseUrl, users.leider);
      await page.click('a[href="/lang/en"]');
      await expectText(page, 'Waiting list');
      await visit(page, '/caseloads', 'caseloads in English');
      await expectText(page, "The team's caseload");
      await page.click('a[href="/lang/nl"]');
      await expectText(page, 'Caseload van het team');
      await logout(page);
    } finally {
      await browser.close();
    }
  }
}
