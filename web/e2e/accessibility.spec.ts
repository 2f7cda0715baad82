/** Flow 7: every page of the app (and the mock checkout page) as each kind of user sees it: axe finds no
 * serious or critical violation, and screenshots at 1280x800 and 390x844 go to e2e/screenshots/. */

import { request as apiRequest, type Page } from '@playwright/test';

import { Api, expectBooksBalanced, freshAccount, only, registerByApi, type Account } from './support/api';
import { adminCredentials, stackUrl } from './support/env';
import { auditPage } from './support/pages';
import { expect, test } from './support/test';
import { heading, signIn } from './support/ui';

interface World {
  player: Account;
  organizer: Account;
  competitionId: string;
  transactionId: string;
  paidSession: string;
  cancelledSession: string;
  openCheckoutPath: string;
}

let world: World;

test.use({ checkBooksAfterEachTest: false });

test.beforeAll(async () => {
  const request = await apiRequest.newContext({ baseURL: stackUrl() });
  try {
    const player = freshAccount('player', 'screens');
    const organizer = freshAccount('organizer', 'host');
    await registerByApi(request, player);
    await registerByApi(request, organizer);
    const organizerApi = await Api.as(request, organizer);
    const competition = await organizerApi.post<{ _id: string }>('/api/competitions', {
      entryFee: 50, currency: 'INR', template: 'top3',
    });
    const api = await Api.as(request, player);
    const paidSession = await api.topUp(1000);
    const cancelled = await api.post<{ sessionId: string; checkoutUrl: string }>('/api/wallet/topup', { amount: 20 });
    const cancelledRef = new URL(cancelled.data.checkoutUrl).pathname;
    expect((await request.post(`${cancelledRef}/cancel`, { maxRedirects: 0, form: {} })).status()).toBe(303);
    const open = await api.post<{ checkoutUrl: string }>('/api/wallet/topup', { amount: 1000 });
    await api.post(`/api/competitions/${encodeURIComponent(competition.data._id)}/entry`, {});
    await api.post('/api/wallet/payout-request', {
      amount: 150, method: { type: 'upi', details: { upiId: 'screens@okaxis', name: 'Screens Player' } },
    });
    const latest = only(await api.transactions({ type: 'topup' }), 'top-up');
    world = {
      player, organizer, competitionId: competition.data._id, transactionId: latest._id, paidSession,
      cancelledSession: cancelled.data.sessionId, openCheckoutPath: new URL(open.data.checkoutUrl).pathname,
    };
  } finally {
    await request.dispose();
  }
});

test.afterAll(async () => {
  const request = await apiRequest.newContext({ baseURL: stackUrl() });
  try {
    await expectBooksBalanced(request);
  } finally {
    await request.dispose();
  }
});

type Who = 'nobody' | 'player' | 'organizer' | 'admin';

interface Screen {
  name: string;
  who: Who;
  path: () => string;
  ready: (page: Page) => Promise<void>;
}

const titled = (name: string) => async (page: Page) => {
  await expect(heading(page, name)).toBeVisible();
};

const SCREENS: Screen[] = [
  { name: 'login', who: 'nobody', path: () => '/login', ready: titled('Sign in') },
  { name: 'register', who: 'nobody', path: () => '/register', ready: titled('Create an account') },
  {
    name: 'wallet', who: 'player', path: () => '/wallet', ready: async (page) => {
      await titled('Wallet')(page);
      await expect(page.getByTestId('wallet-balance')).toHaveText('₹950.00');
      await expect(page.getByTestId('wallet-fund-deposit')).toHaveText('₹950.00');
      await expect(page.getByTestId('wallet-withdrawable')).toHaveText('₹800.00');
      await expect(page.getByLabel('Balance over time')).toBeVisible();
    },
  },
  {
    name: 'transactions', who: 'player', path: () => '/wallet/transactions', ready: async (page) => {
      await titled('Transactions')(page);
      await expect(page.getByRole('row').nth(1)).toBeVisible();
    },
  },
  { name: 'transaction', who: 'player', path: () => `/wallet/transactions/${world.transactionId}`, ready: titled('Transaction') },
  { name: 'topup', who: 'player', path: () => '/wallet/topup', ready: titled('Top up') },
  {
    name: 'topup-success', who: 'player', path: () => `/wallet/topup/success?session_id=${world.paidSession}`,
    ready: titled('Top-up complete'),
  },
  {
    name: 'topup-cancel', who: 'player', path: () => `/wallet/topup/cancel?session_id=${world.cancelledSession}`,
    ready: async (page) => {
      await titled('Top-up cancelled')(page);
      await expect(page.getByText('Nothing was charged.')).toBeVisible();
    },
  },
  {
    name: 'mock-checkout', who: 'player', path: () => world.openCheckoutPath, ready: async (page) => {
      await expect(page.getByRole('button', { name: 'Pay ₹1,000.00', exact: true })).toBeVisible();
    },
  },
  {
    name: 'withdraw', who: 'player', path: () => '/wallet/withdraw', ready: async (page) => {
      await titled('Withdraw')(page);
      await expect(page.getByTestId('payout-status')).toHaveText('requested');
    },
  },
  {
    name: 'statements', who: 'player', path: () => '/wallet/statements', ready: async (page) => {
      await titled('Statement')(page);
      await expect(page.getByTestId('closing-deposit')).toHaveText('₹950.00');
    },
  },
  {
    name: 'tax-statement', who: 'player', path: () => '/wallet/tax-statement', ready: async (page) => {
      await titled('Tax statement')(page);
      await expect(page.getByTestId('tax-tds')).toBeVisible();
    },
  },
  { name: 'competitions', who: 'player', path: () => '/competitions', ready: titled('Competitions') },
  {
    name: 'competition-player', who: 'player', path: () => `/competitions/${world.competitionId}`,
    ready: async (page) => {
      await titled(`Competition ${world.competitionId}`)(page);
      await expect(page.getByTestId('entries-count')).toHaveText('1');
    },
  },
  { name: 'not-allowed', who: 'player', path: () => '/admin/payouts', ready: titled('Not allowed') },
  { name: 'competition-new', who: 'organizer', path: () => '/competitions/new', ready: titled('Open a competition') },
  {
    name: 'competition-owner', who: 'organizer', path: () => `/competitions/${world.competitionId}`,
    ready: async (page) => {
      await titled(`Competition ${world.competitionId}`)(page);
      await expect(page.getByTestId('entries-count')).toHaveText('1');
    },
  },
  {
    name: 'admin-payouts', who: 'admin', path: () => '/admin/payouts', ready: async (page) => {
      await titled('Payout queue')(page);
      await expect(page.getByTestId('payout-status').first()).toBeVisible();
    },
  },
  {
    name: 'admin-transactions', who: 'admin', path: () => '/admin/transactions', ready: async (page) => {
      await titled('All transactions')(page);
      await expect(page.getByRole('row').nth(1)).toBeVisible();
    },
  },
  {
    name: 'admin-books', who: 'admin', path: () => '/admin/books', ready: async (page) => {
      await titled('Books')(page);
      const status = page.getByTestId('audit-status');
      if (!(await status.isVisible())) await page.getByRole('button', { name: 'Run audit', exact: true }).click();
      await expect(status).toHaveText('Balanced');
    },
  },
  {
    name: 'admin-tds', who: 'admin', path: () => '/admin/tax/tds', ready: async (page) => {
      await titled('TDS report')(page);
      await expect(page.getByRole('table', { name: 'TDS by user' })).toBeVisible();
    },
  },
  {
    name: 'admin-analytics', who: 'admin', path: () => '/admin/analytics', ready: async (page) => {
      await titled('Analytics')(page);
      await expect(page.getByRole('table', { name: 'Totals' })).toBeVisible();
    },
  },
];

function account(who: Exclude<Who, 'nobody'>) {
  if (who === 'admin') return adminCredentials();
  return who === 'player' ? world.player : world.organizer;
}

for (const screen of SCREENS) {
  test(`${screen.name} (${screen.who}): no serious accessibility violations; screenshots`, async ({ page }) => {
    if (screen.who !== 'nobody') await signIn(page, account(screen.who));
    await page.goto(screen.path());
    await auditPage(page, screen.name, () => screen.ready(page));
  });
}
