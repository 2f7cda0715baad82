/** Flow 6: the top-up success page can be refreshed without crediting twice, and the cancel page says that
 * nothing was charged (and nothing was). */

import { Api, freshAccount } from './support/api';
import { expect, test } from './support/test';
import { button, expectTopUpComplete, expectWallet, heading, registerInBrowser, startTopUp } from './support/ui';

test('refreshing the success page re-verifies and credits nothing twice', async ({ page, request }) => {
  const player = freshAccount('player');
  await registerInBrowser(page, player);
  await startTopUp(page, '1000');
  await button(page, 'Pay ₹1,000.00').click();
  await expectTopUpComplete(page, '₹1,000.00', '₹1,000.00');
  const success = page.url();

  for (let refresh = 0; refresh < 2; refresh += 1) {
    await page.reload();
    await expectTopUpComplete(page, '₹1,000.00', '₹1,000.00');
  }
  await page.goto(success);
  await expectTopUpComplete(page, '₹1,000.00', '₹1,000.00');

  const api = await Api.as(request, player);
  expect((await api.transactions({ type: 'topup' })).map((t) => t.amount)).toEqual([1000]);
  expect(await api.wallet()).toMatchObject({ balance: 1000, available: 1000, held: 0 });
  await expectWallet(page, { balance: '₹1,000.00', available: '₹1,000.00', held: '₹0.00' });
});

test('cancelling on the checkout page says nothing was charged and credits nothing', async ({ page, request }) => {
  const player = freshAccount('player');
  await registerInBrowser(page, player);
  await startTopUp(page, '750.50');
  await expect(button(page, 'Pay ₹750.50')).toBeVisible();
  await button(page, 'Cancel').click();
  await expect(page).toHaveURL(/\/wallet\/topup\/cancel/);
  await expect(heading(page, 'Top-up cancelled')).toBeVisible();
  await expect(page.getByText('Nothing was charged.')).toBeVisible();
  await page.reload();
  await expect(heading(page, 'Top-up cancelled')).toBeVisible();

  const api = await Api.as(request, player);
  expect(await api.transactions({ type: 'topup' })).toEqual([]);
  expect(await api.wallet()).toMatchObject({ balance: 0, available: 0, held: 0 });
  await expectWallet(page, { balance: '₹0.00', available: '₹0.00', held: '₹0.00' });
});
