/** What a person does in the web app, step by step, by role and accessible name (docs: the UI contract). */

import { expect, type Locator, type Page } from '@playwright/test';

import type { Account } from './api';
import type { Credentials } from './env';

export function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { name, exact: true });
}

export function field(page: Page | Locator, label: string): Locator {
  return page.getByLabel(label, { exact: true });
}

export function button(page: Page | Locator, name: string): Locator {
  return page.getByRole('button', { name, exact: true });
}

export function mainNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

/** A radio group by its name, whether it is a `radiogroup` or a `fieldset` with a legend. */
export function radioGroup(page: Page, name: string): Locator {
  return page.getByRole('radiogroup', { name, exact: true }).or(page.getByRole('group', { name, exact: true }));
}

/** Reload until ``check`` passes (the page shows what another user's action changed). */
export async function reloadUntil(page: Page, check: () => Promise<void>, timeout = 20_000): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout, intervals: [250, 500, 1000] });
}

export async function currentUserId(page: Page): Promise<string> {
  const holder = page.getByTestId('current-user-id');
  await expect(holder).toHaveText(/^\s*usr_\w+\s*$/);
  return ((await holder.textContent()) ?? '').trim();
}

/** Register on /register; the app signs the new user in and lands on /wallet. Returns the user's id. */
export async function registerInBrowser(page: Page, account: Account): Promise<string> {
  await page.goto('/register');
  await expect(heading(page, 'Create an account')).toBeVisible();
  await field(page, 'Name').fill(account.name);
  await field(page, 'Email').fill(account.email);
  await field(page, 'Password').fill(account.password);
  const kind = radioGroup(page, 'Account type');
  await expect(kind.getByRole('radio', { name: 'Player', exact: true })).toBeChecked();
  if (account.role === 'organizer') await kind.getByRole('radio', { name: 'Organizer', exact: true }).check();
  await button(page, 'Create account').click();
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(heading(page, 'Wallet')).toBeVisible();
  return currentUserId(page);
}

/** Sign in on /login and wait until the app has left the sign-in page. */
export async function signIn(page: Page, who: Credentials): Promise<void> {
  await page.goto('/login');
  await expect(heading(page, 'Sign in')).toBeVisible();
  await field(page, 'Email').fill(who.email);
  await field(page, 'Password').fill(who.password);
  await button(page, 'Sign in').click();
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByTestId('current-user-id')).toHaveText(/usr_/);
}

export interface Balances {
  balance: string;
  available: string;
  held: string;
  earnings?: string;
}

/** Open /wallet and check the four figures (each exactly, as formatted text). */
export async function expectWallet(page: Page, expected: Balances): Promise<void> {
  await page.goto('/wallet');
  await expect(heading(page, 'Wallet')).toBeVisible();
  await expect(page.getByTestId('wallet-balance')).toHaveText(expected.balance);
  await expect(page.getByTestId('wallet-available')).toHaveText(expected.available);
  await expect(page.getByTestId('wallet-held')).toHaveText(expected.held);
  if (expected.earnings !== undefined) await expect(page.getByTestId('wallet-earnings')).toHaveText(expected.earnings);
}

export interface FundFigures {
  deposit: string;
  winnings: string;
  bonus: string;
  withdrawable: string;
}

/** On /wallet: the balance split by fund and the withdrawable figure (each exactly, as formatted text). */
export async function expectFunds(page: Page, expected: FundFigures): Promise<void> {
  await page.goto('/wallet');
  await expect(heading(page, 'Funds')).toBeVisible();
  await expect(page.getByTestId('wallet-fund-deposit')).toHaveText(expected.deposit);
  await expect(page.getByTestId('wallet-fund-winnings')).toHaveText(expected.winnings);
  await expect(page.getByTestId('wallet-fund-bonus')).toHaveText(expected.bonus);
  await expect(page.getByTestId('wallet-withdrawable')).toHaveText(expected.withdrawable);
}

/** From the top-up page to the mock provider's checkout page for ``amount`` (major units, as typed). */
export async function startTopUp(page: Page, amount: string): Promise<void> {
  await page.goto('/wallet/topup');
  await expect(heading(page, 'Top up')).toBeVisible();
  await expect(page.getByText(/Minimum ₹[\d,.]+, maximum ₹[\d,.]+/)).toBeVisible();
  await field(page, 'Amount').fill(amount);
  await button(page, 'Continue to checkout').click();
  await expect(page).toHaveURL(/\/checkout\/mock\//);
}

/** A whole top-up: the top-up page, Pay on the mock checkout, and the success page's verified figures. */
export async function topUpInBrowser(page: Page, amount: string, shown: string, balanceAfter: string): Promise<void> {
  await startTopUp(page, amount);
  await button(page, `Pay ${shown}`).click();
  await expectTopUpComplete(page, shown, balanceAfter);
}

export async function expectTopUpComplete(page: Page, credited: string, balance: string): Promise<void> {
  await expect(page).toHaveURL(/\/wallet\/topup\/success\?session_id=/);
  await expect(heading(page, 'Top-up complete')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('topup-credited')).toHaveText(credited);
  await expect(page.getByTestId('wallet-balance')).toHaveText(balance);
}

export type PayoutMethod =
  | { type: 'UPI'; upiId: string; name: string }
  | { type: 'Bank account'; accountNumber: string; ifsc: string; holder: string }
  | { type: 'Stripe'; accountId: string };

/** Fill the withdrawal form on /wallet/withdraw (the caller clicks "Request withdrawal"). */
export async function fillWithdrawal(page: Page, amount: string, method: PayoutMethod): Promise<void> {
  await page.goto('/wallet/withdraw');
  await expect(heading(page, 'Withdraw')).toBeVisible();
  await field(page, 'Amount').fill(amount);
  await radioGroup(page, 'Method').getByRole('radio', { name: method.type, exact: true }).check();
  if (method.type === 'UPI') {
    await field(page, 'UPI ID').fill(method.upiId);
    await field(page, 'Name on the UPI account').fill(method.name);
  } else if (method.type === 'Bank account') {
    await field(page, 'Account number').fill(method.accountNumber);
    await field(page, 'IFSC').fill(method.ifsc);
    await field(page, 'Account holder name').fill(method.holder);
  } else {
    await field(page, 'Stripe account ID').fill(method.accountId);
  }
}

/** The player's withdrawals table: the status cell of the only row (a fresh user has one payout). */
export function onlyPayoutStatus(page: Page): Locator {
  return page.getByTestId('payout-status');
}

/** In the admin's payout queue, open the approve or reject dialog of ``payoutId`` and fill in its text;
 * returns the dialog and its confirm button. */
export async function openDecision(admin: Page, payoutId: string, decision: 'approve' | 'reject', text: string):
  Promise<{ dialog: Locator; confirm: Locator }> {
  await admin.goto('/admin/payouts');
  await expect(heading(admin, 'Payout queue')).toBeVisible();
  const open = decision === 'approve' ? `Approve ${payoutId}` : `Reject ${payoutId}`;
  await admin.getByRole('button', { name: open, exact: true }).click();
  const dialog = admin.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await field(dialog, decision === 'approve' ? 'Note' : 'Reason').fill(text);
  return { dialog, confirm: button(dialog, decision === 'approve' ? 'Confirm approval' : 'Confirm rejection') };
}

/** Approve or reject ``payoutId`` in the admin's payout queue; the dialog closes on success. */
export async function decidePayout(admin: Page, payoutId: string, decision: 'approve' | 'reject', text: string):
  Promise<void> {
  const { dialog, confirm } = await openDecision(admin, payoutId, decision, text);
  await confirm.click();
  await expect(dialog).toBeHidden();
}
