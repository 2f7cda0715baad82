/** Flow 4: double-clicking a money-moving button moves the money once: Pay on the mock checkout, Enter on a
 * competition, Request withdrawal, and the admin's Confirm approval. The API is the judge afterwards.
 *
 * Pay gets a real mouse double click. The app's buttons get the worst case of one: two clicks in one task,
 * before the page can re-render the button as busy (what a double click on a slow phone amounts to). */

import type { Locator } from '@playwright/test';

import { Api, freshAccount, only, registerByApi } from './support/api';
import { adminCredentials } from './support/env';
import { expect, test } from './support/test';
import {
  button, expectTopUpComplete, expectWallet, fillWithdrawal, heading, onlyPayoutStatus,
  openDecision, registerInBrowser, reloadUntil, signIn, startTopUp,
} from './support/ui';

async function clickTwiceAtOnce(target: Locator): Promise<void> {
  await target.evaluate((element: HTMLElement) => {
    element.click();
    element.click();
  });
}

test('double clicks on Pay, Enter, Request withdrawal and Confirm approval each move money once', async ({
  page, openPage, request,
}) => {
  const organizer = freshAccount('organizer');
  await registerByApi(request, organizer);
  const organizerApi = await Api.as(request, organizer);
  const competition = await organizerApi.post<{ _id: string }>('/api/competitions', {
    entryFee: 100, currency: 'INR', template: 'winner_takes_all',
  });
  const competitionId = competition.data._id;

  const player = freshAccount('player');
  await registerInBrowser(page, player);
  const api = await Api.as(request, player);

  await startTopUp(page, '1000');
  await button(page, 'Pay ₹1,000.00').dblclick();
  await expectTopUpComplete(page, '₹1,000.00', '₹1,000.00');
  expect((await api.transactions({ type: 'topup' })).map((t) => t.amount)).toEqual([1000]);
  expect(await api.wallet()).toMatchObject({ balance: 1000, available: 1000, held: 0 });

  await page.goto(`/competitions/${encodeURIComponent(competitionId)}`);
  await expect(heading(page, `Competition ${competitionId}`)).toBeVisible();
  await clickTwiceAtOnce(button(page, 'Enter'));
  await expect(page.getByText('You have entered')).toBeVisible();
  await expect(page.getByTestId('entries-count')).toHaveText('1');
  expect((await api.transactions({ type: 'entryFee' })).map((t) => t.amount)).toEqual([-100]);
  expect(await api.wallet()).toMatchObject({ balance: 900, available: 900 });
  const after = await organizerApi.get<{ poolBalance: number }>(`/api/competitions/${encodeURIComponent(competitionId)}`);
  expect(after.data.poolBalance).toBe(100);

  await fillWithdrawal(page, '400', { type: 'Stripe', accountId: 'acct_1BrowserTest42' });
  await clickTwiceAtOnce(button(page, 'Request withdrawal'));
  await expect(onlyPayoutStatus(page)).toHaveText('requested');
  const payouts = await api.payoutRequests();
  expect(payouts.map((p) => [p.amount, p.status])).toEqual([[400, 'requested']]);
  expect(await api.wallet()).toMatchObject({ balance: 900, available: 500, held: 400 });

  const admin = await openPage();
  await signIn(admin, adminCredentials());
  const approval = await openDecision(admin, only(payouts, 'payout request')._id, 'approve', 'Double-click check');
  await clickTwiceAtOnce(approval.confirm);

  await page.goto('/wallet/withdraw');
  await reloadUntil(page, () => expect(onlyPayoutStatus(page)).toHaveText('paid', { timeout: 2_000 }));
  await expectWallet(page, { balance: '₹500.00', available: '₹500.00', held: '₹0.00' });
  expect((await api.payoutRequests()).map((p) => p.status)).toEqual(['paid']);
  expect((await api.transactions({ type: 'payout' })).map((t) => [t.amount, t.status])).toEqual([[-400, 'completed']]);
  expect(await api.wallet()).toMatchObject({ balance: 500, available: 500, held: 0 });

  await expect(approval.dialog.getByRole('alert'), 'the admin is told of no error').toHaveCount(0);
  await expect(approval.dialog).toBeHidden();
});
