/** Flow 2: an organizer opens a ₹250 top-3 competition, two players enter, the organizer previews and pays
 * the match; every wallet shows the exact split.
 *
 * Pool ₹500.00; platform fee 10 % = ₹50.00, organizer fee 5 % = ₹25.00 (PLATFORM_FEE_PERCENTAGE=10,
 * ORGANIZER_FEE_PERCENTAGE=5), winners ₹425.00. top3 is 50/30/20; with two players the shares of the
 * occupied places are scaled to 100 %: 50/80 and 30/80 of ₹425.00 = ₹265.625 and ₹159.375. Rounding by
 * largest remainder (equal remainders to the better rank): ₹265.63 and ₹159.37.
 */

import type { Page } from '@playwright/test';

import { Api, freshAccount, type Account } from './support/api';
import { expect, test } from './support/test';
import {
  button, expectWallet, field, heading, registerInBrowser, topUpInBrowser,
} from './support/ui';

const FIRST = '₹265.63';
const SECOND = '₹159.37';

/** A new player registers, tops up ₹1,000 and pays the ₹250 entry fee; returns the player's id. */
async function enterAsNewPlayer(tab: Page, player: Account, competitionId: string): Promise<string> {
  const id = await registerInBrowser(tab, player);
  await topUpInBrowser(tab, '1000', '₹1,000.00', '₹1,000.00');
  await tab.goto(`/competitions/${encodeURIComponent(competitionId)}`);
  await expect(heading(tab, `Competition ${competitionId}`)).toBeVisible();
  await button(tab, 'Enter').click();
  await expect(tab.getByText('You have entered')).toBeVisible();
  await expectWallet(tab, { balance: '₹750.00', available: '₹750.00', held: '₹0.00' });
  return id;
}

test('an organizer distributes a match and the winners get the exact template amounts', async ({
  page, openPage, request,
}) => {
  const organizer = freshAccount('organizer');
  await registerInBrowser(page, organizer);
  await page.goto('/competitions');
  await expect(heading(page, 'Competitions')).toBeVisible();
  await page.getByRole('link', { name: 'Open a competition', exact: true }).click();
  await expect(heading(page, 'Open a competition')).toBeVisible();
  await field(page, 'Entry fee').fill('250');
  await field(page, 'Currency').selectOption('INR');
  await field(page, 'Prize template').selectOption('top3');
  await button(page, 'Open competition').click();
  await expect(page).toHaveURL(/\/competitions\/(?!new$)[^/?#]+$/);
  const competitionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  await expect(heading(page, `Competition ${competitionId}`)).toBeVisible();
  await expect(page.getByTestId('entry-fee')).toHaveText('₹250.00');
  await expect(page.getByTestId('competition-status')).toHaveText('open');

  const winner = freshAccount('player', 'first');
  const runnerUp = freshAccount('player', 'second');
  const winnerPage = await openPage();
  const runnerUpPage = await openPage();
  const first = await enterAsNewPlayer(winnerPage, winner, competitionId);
  const second = await enterAsNewPlayer(runnerUpPage, runnerUp, competitionId);
  const ids = [first, second];

  await page.reload();
  await expect(page.getByTestId('entries-count')).toHaveText('2');
  await expect(page.getByTestId('pool-balance')).toHaveText('₹500.00');
  for (const id of ids) await expect(page.getByText(id, { exact: true }).first()).toBeVisible();

  await field(page, 'Match name').fill('final');
  await button(page, 'Fill from entrants').click();
  await expect(field(page, 'User ID 2')).toBeVisible();
  await field(page, 'User ID 1').fill(first);
  await field(page, 'Rank 1').fill('1');
  await field(page, 'User ID 2').fill(second);
  await field(page, 'Rank 2').fill('2');
  await button(page, 'Preview payouts').click();

  const preview = page.getByRole('table', { name: 'Payout preview' });
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('row').filter({ hasText: first })).toContainText(FIRST);
  await expect(preview.getByRole('row').filter({ hasText: second })).toContainText(SECOND);
  await expect(preview.getByRole('row').filter({ hasText: 'Prize pool' })).toContainText('₹500.00');
  await expect(preview.getByRole('row').filter({ hasText: 'Platform fee' })).toContainText('₹50.00');
  await expect(preview.getByRole('row').filter({ hasText: 'Organizer fee' })).toContainText('₹25.00');

  await button(page, 'Pay winners').click();
  await expect(page.getByText('Rewards paid')).toBeVisible();
  const paid = page.getByRole('table', { name: 'Paid rewards' });
  await expect(paid.getByRole('row').filter({ hasText: first })).toContainText(FIRST);
  await expect(paid.getByRole('row').filter({ hasText: second })).toContainText(SECOND);

  await expectWallet(winnerPage, { balance: '₹1,015.63', available: '₹1,015.63', held: '₹0.00', earnings: FIRST });
  await expectWallet(runnerUpPage, { balance: '₹909.37', available: '₹909.37', held: '₹0.00', earnings: SECOND });
  await expectWallet(page, { balance: '₹25.00', available: '₹25.00', held: '₹0.00' });

  const rewards = await Promise.all([winner, runnerUp].map(async (p) => (await Api.as(request, p)).transactions({ type: 'reward' })));
  expect(rewards.map((list) => list.map((t) => t.amount))).toEqual([[265.63], [159.37]]);
  const organizerApi = await Api.as(request, organizer);
  expect((await organizerApi.transactions({ type: 'organizerFee' })).map((t) => t.amount)).toEqual([25]);
  const competition = await organizerApi.get<{ poolBalance: number; entries: number }>(
    `/api/competitions/${encodeURIComponent(competitionId)}`);
  expect(competition.data.poolBalance).toBe(0);
});
