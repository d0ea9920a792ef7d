// Smoke: every main demo role can log in, lands somewhere other than /login,
// its landing page passes the axe check, and it can log out again.

export const name = 'smoke';

const ROLES = ['admin', 'leider', 'intake', 'coach1', 'analist'];

export default async function smoke(ctx) {
  const { baseUrl, browser, users, login, logout, visit, screenshot } = ctx;
  const page = await browser.newPage();
  for (const role of ROLES) {
    const email = users[role];
    const landing = await login(page, baseUrl, email);
    const { pathname } = new URL(landing);
    if (pathname === '/login') throw new Error(`${role}: still on /login after logging in`);
    console.log(`  ${role}: ${email} -> ${pathname}`);
    await visit(page, landing, `${role} home`);
    await screenshot(page, `smoke-${role}-home`);
    await logout(page);
  }
}
