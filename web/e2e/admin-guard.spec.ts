/** Flow 5: players and organizers cannot open the admin console: every admin page says "Not allowed", no
 * admin data is fetched, and the API answers 403. */

import { Api, freshAccount, registerByApi, type Role } from './support/api';
import { expect, test } from './support/test';
import { heading, mainNav, signIn } from './support/ui';

const ADMIN_PAGES = [
  '/admin/payouts', '/admin/transactions', '/admin/books', '/admin/analytics', '/admin/kyc', '/admin/users/usr_someone',
];
const ADMIN_CALLS = /\/api\/(admin\/|transactions\/(admin\/)?all)/;

for (const role of ['player', 'organizer'] as Role[]) {
  const someone = role === 'organizer' ? 'an organizer' : 'a player';
  test(`${someone} sees "Not allowed" on every admin page and the API refuses with 403`, async ({ page, request }) => {
    const account = freshAccount(role);
    await registerByApi(request, account);
    const adminCalls: string[] = [];
    page.on('request', (sent) => {
      if (ADMIN_CALLS.test(new URL(sent.url()).pathname)) adminCalls.push(sent.url());
    });

    await signIn(page, account);
    await expect(mainNav(page).getByRole('link', { name: 'Wallet', exact: true })).toBeVisible();
    for (const name of ['Payout queue', 'All transactions', 'Books', 'Analytics', 'KYC review']) {
      await expect(mainNav(page).getByRole('link', { name, exact: true })).toHaveCount(0);
    }
    for (const path of ADMIN_PAGES) {
      await page.goto(path);
      await expect(heading(page, 'Not allowed')).toBeVisible();
      await expect(page.getByRole('button', { name: /^(Approve|Reject|Run audit)/ })).toHaveCount(0);
    }
    expect(adminCalls).toEqual([]);

    const api = await Api.as(request, account);
    const refusals = [
      await api.refusal('GET', '/api/admin/payouts'),
      await api.refusal('GET', '/api/transactions/all'),
      await api.refusal('GET', '/api/admin/audit'),
      await api.refusal('GET', '/api/admin/analytics?from=2026-11-01&to=2026-11-30&currency=INR'),
      await api.refusal('PUT', '/api/admin/payouts/pay_does_not_matter/approve', { note: 'mine' }),
      await api.refusal('PUT', '/api/admin/payouts/pay_does_not_matter/release', { note: 'mine' }),
      await api.refusal('GET', '/api/admin/kyc'),
      await api.refusal('PUT', '/api/admin/kyc/usr_someone/verify', {}),
      await api.refusal('GET', '/api/admin/users/usr_someone/protection'),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 403]);
  });
}
