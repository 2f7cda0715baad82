/** Issue 13: player protection in the browser. A player submits KYC and an admin verifies it; the player lowers
 * a deposit limit (at once) and raises it (pending for 24 h); the player self-excludes and a top-up is refused
 * SELF_EXCLUDED. Axe on each new page. */

import type { Page } from '@playwright/test';

import { Api, freshAccount } from './support/api';
import { adminCredentials } from './support/env';
import { auditPage } from './support/pages';
import { expect, test } from './support/test';
import { button, field, heading, registerInBrowser, signIn } from './support/ui';

function randomPan(): string {
  const letters = () =>
    Array.from({ length: 5 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');
  const digits = String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
  return `${letters()}${digits}${String.fromCharCode(65 + Math.floor(Math.random() * 26))}`;
}

async function saveLimit(page: Page, label: string, value: string): Promise<void> {
  await field(page, label).fill(value);
  await button(page, 'Save limits').click();
  await expect(page.getByRole('status')).toContainText('Saved');
}

test('KYC: the player submits (PAN masked), an admin verifies it in the queue', async ({ page, openPage }) => {
  const player = freshAccount('player', 'kyc');
  const playerId = await registerInBrowser(page, player);
  const pan = randomPan();
  await page.goto('/wallet/verification');
  await expect(heading(page, 'Verification')).toBeVisible();
  await expect(page.getByTestId('kyc-status')).toHaveText('Not submitted');
  await auditPage(page, 'kyc-form', async () => {
    await expect(field(page, 'PAN')).toBeVisible();
  });
  await field(page, 'PAN').pressSequentially(pan.toLowerCase());
  await expect(field(page, 'PAN')).toHaveValue(pan);
  await field(page, 'Name as on PAN').fill(player.name);
  await field(page, 'Date of birth').fill('1990-01-31');
  await button(page, 'Submit for verification').click();
  await expect(page.getByTestId('kyc-status')).toHaveText('Pending review');
  await expect(page.getByTestId('kyc-pan')).toHaveText(`XXXXXX${pan.slice(6)}`);
  await expect(page.getByText(pan)).toHaveCount(0);

  const admin = await openPage();
  await signIn(admin, adminCredentials());
  await admin.goto('/admin/kyc');
  await expect(heading(admin, 'KYC review')).toBeVisible();
  await button(admin, `Verify ${playerId}`).click();
  await auditPage(admin, 'kyc-review-dialog', async () => {
    await expect(admin.getByRole('dialog', { name: 'Verify KYC' })).toBeVisible();
  });
  await button(admin.getByRole('dialog'), 'Confirm verification').click();
  await expect(admin.getByRole('status')).toBeVisible();
  await expect(button(admin, `Verify ${playerId}`)).toHaveCount(0);

  await admin.goto(`/admin/users/${encodeURIComponent(playerId)}`);
  await auditPage(admin, 'user-protection', async () => {
    await expect(admin.getByTestId('kyc-status')).toHaveText('Verified');
  });

  await page.reload();
  await expect(page.getByTestId('kyc-status')).toHaveText('Verified');
  await expect(field(page, 'PAN')).toHaveCount(0);
});

test('limits apply at once when lowered, wait 24 h when raised; self-exclusion blocks a top-up', async ({
  page,
  request,
}) => {
  const player = freshAccount('player', 'limits');
  await registerInBrowser(page, player);
  await page.goto('/wallet/limits');
  await expect(heading(page, 'Limits & self-exclusion')).toBeVisible();
  await expect(page.getByText(/Raising or removing a limit waits 24 hours/)).toBeVisible();

  await saveLimit(page, 'Deposit limit per day (INR)', '1000');
  await expect(page.getByTestId('limit-depositDaily')).toHaveText('₹1,000.00');
  await saveLimit(page, 'Deposit limit per day (INR)', '500');
  await expect(page.getByTestId('limit-depositDaily')).toHaveText('₹500.00');
  await expect(page.getByTestId('pending-limits')).toHaveCount(0);
  await saveLimit(page, 'Deposit limit per day (INR)', '800');
  await expect(page.getByTestId('limit-depositDaily')).toHaveText('₹500.00');
  await expect(page.getByTestId('pending-limits')).toContainText('Deposit limit per day: ₹800.00 from');
  await auditPage(page, 'limits', async () => {
    await expect(page.getByTestId('pending-limits')).toBeVisible();
  });

  await field(page, 'Exclude me').selectOption('7');
  await button(page, 'Self-exclude…').click();
  await expect(page.getByRole('group', { name: 'Confirm self-exclusion' })).toContainText('cannot be undone');
  await button(page, 'Yes, exclude me for 7 days').click();
  await expect(page.getByTestId('self-exclusion-state')).toContainText('Self-excluded until');

  await page.goto('/wallet/topup');
  await expect(heading(page, 'Top up')).toBeVisible();
  await field(page, 'Amount').fill('200');
  await button(page, 'Continue to checkout').click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('link', { name: 'See your self-exclusion' })).toBeVisible();

  const api = await Api.as(request, player);
  expect(await api.refusal('POST', '/api/wallet/topup', { amount: 200 })).toEqual({ status: 409, error: 'SELF_EXCLUDED' });
  expect(await api.transactions({ type: 'topup' })).toEqual([]);
});
