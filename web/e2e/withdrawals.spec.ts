/** Flows 1 and 3: a player tops up through the mock checkout, asks for a withdrawal, and an admin approves
 * it (the payout is paid, the wallet keeps the rest) or rejects it (the hold comes back). */

import { Api, freshAccount, only } from './support/api';
import { adminCredentials } from './support/env';
import { expect, test } from './support/test';
import {
  decidePayout, expectFunds, expectWallet, fillWithdrawal, heading, mainNav, onlyPayoutStatus, registerInBrowser, reloadUntil,
  signIn, topUpInBrowser, button,
} from './support/ui';

test('a top-up of ₹1,000 and an approved ₹500 UPI withdrawal leave ₹500.00 and a paid payout', async ({
  page, openPage, request,
}) => {
  const player = freshAccount('player');
  const playerId = await registerInBrowser(page, player);

  await mainNav(page).getByRole('link', { name: 'Top up', exact: true }).click();
  await expect(heading(page, 'Top up')).toBeVisible();
  await topUpInBrowser(page, '1000', '₹1,000.00', '₹1,000.00');
  await expectWallet(page, { balance: '₹1,000.00', available: '₹1,000.00', held: '₹0.00', earnings: '₹0.00' });
  await expectFunds(page, { deposit: '₹1,000.00', winnings: '₹0.00', bonus: '₹0.00', withdrawable: '₹1,000.00' });

  await fillWithdrawal(page, '500', { type: 'UPI', upiId: 'asha@paytm', name: 'Asha Player' });
  await button(page, 'Request withdrawal').click();
  await expect(heading(page, 'My withdrawals')).toBeVisible();
  await expect(onlyPayoutStatus(page)).toHaveText('requested');
  await expect(page.getByRole('row').filter({ has: onlyPayoutStatus(page) })).toContainText('₹500.00');
  await expectWallet(page, { balance: '₹1,000.00', available: '₹500.00', held: '₹500.00' });

  const api = await Api.as(request, player);
  const payout = only(await api.payoutRequests(), 'payout request');
  expect(payout.userId).toBe(playerId);
  expect(payout.method.details.upiId).not.toBe('asha@paytm');

  const admin = await openPage();
  await signIn(admin, adminCredentials());
  await decidePayout(admin, payout._id, 'approve', 'Checked by the browser test');

  await page.goto('/wallet/withdraw');
  await reloadUntil(page, () => expect(onlyPayoutStatus(page)).toHaveText('paid', { timeout: 2_000 }));
  await expectWallet(page, { balance: '₹500.00', available: '₹500.00', held: '₹0.00' });
  await expectFunds(page, { deposit: '₹500.00', winnings: '₹0.00', bonus: '₹0.00', withdrawable: '₹500.00' });

  expect(await api.wallet()).toMatchObject({ balance: 500, available: 500, held: 0 });
  const payouts = await api.transactions({ type: 'payout' });
  expect(payouts.map((t) => [t.amount, t.status])).toEqual([[-500, 'completed']]);
  expect((await api.payoutRequests()).map((p) => p.status)).toEqual(['paid']);
});

test('a rejected withdrawal returns the hold: available back to ₹1,000.00, held ₹0.00', async ({
  page, openPage, request,
}) => {
  const player = freshAccount('player');
  await registerInBrowser(page, player);
  await topUpInBrowser(page, '1000', '₹1,000.00', '₹1,000.00');

  await fillWithdrawal(page, '500', {
    type: 'Bank account', accountNumber: '123456789012', ifsc: 'HDFC0001234', holder: 'Ravi Player',
  });
  await button(page, 'Request withdrawal').click();
  await expect(onlyPayoutStatus(page)).toHaveText('requested');
  const row = page.getByRole('row').filter({ has: onlyPayoutStatus(page) });
  await expect(row).toContainText('9012');
  await expect(row).not.toContainText('123456789012');
  await expectWallet(page, { balance: '₹1,000.00', available: '₹500.00', held: '₹500.00' });

  const api = await Api.as(request, player);
  const payout = only(await api.payoutRequests(), 'payout request');
  const admin = await openPage();
  await signIn(admin, adminCredentials());
  await decidePayout(admin, payout._id, 'reject', 'Bank details do not match the account holder');

  await page.goto('/wallet/withdraw');
  await reloadUntil(page, () => expect(onlyPayoutStatus(page)).toHaveText('rejected', { timeout: 2_000 }));
  await expectWallet(page, { balance: '₹1,000.00', available: '₹1,000.00', held: '₹0.00' });

  expect(await api.wallet()).toMatchObject({ balance: 1000, available: 1000, held: 0 });
  const holds = await api.transactions({ type: 'payout' });
  expect(holds.map((t) => t.status)).toEqual(['failed']);
});
