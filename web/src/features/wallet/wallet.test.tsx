import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ok, stubFetch } from '@/test/fetchStub';
import { page, tx, wallet } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { fundText } from '@/features/transactions/funds';
import { balanceSeries } from './balanceSeries';

describe('balanceSeries', () => {
  it('orders by time, keeps exact minor units and skips rows without a balance', () => {
    const rows = [
      tx({ createdAt: '2026-11-03T00:00:00Z', balanceAfter: 1000.1 }),
      tx({ createdAt: '2026-11-01T00:00:00Z', balanceAfter: 0.1 }),
      tx({ createdAt: '2026-11-02T00:00:00Z', balanceAfter: null, status: 'pending', type: 'payout' }),
      tx({ createdAt: '2026-11-02T12:00:00Z', balanceAfter: 0.3, currency: 'USD' }),
    ];
    const points = balanceSeries(rows, 'INR');
    expect(points.map((p) => p.minor)).toEqual([10n, 100010n]);
    expect(points.map((p) => p.value)).toEqual([0.1, 1000.1]);
  });
});

describe('wallet page', () => {
  it('shows balance, available, held and earnings exactly, the chart and recent transactions', async () => {
    const recent = [tx({ description: 'Reward for match final', type: 'reward', amount: 1234.5 })];
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () =>
        ok(wallet({ balance: 100000.1, available: 99500.1, held: 500, totalEarnings: 1234.5, recentTransactions: recent })),
      'GET /api/wallet/transactions': () => ok([tx({ balanceAfter: 100000.1 })], page(1, 1, 100)),
    });
    renderRoute('/wallet', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Wallet', level: 1 })).toBeInTheDocument();
    expect(await screen.findByTestId('wallet-balance')).toHaveTextContent(/^₹1,00,000\.10$/);
    expect(screen.getByTestId('wallet-available')).toHaveTextContent(/^₹99,500\.10$/);
    expect(screen.getByTestId('wallet-held')).toHaveTextContent(/^₹500\.00$/);
    expect(screen.getByTestId('wallet-earnings')).toHaveTextContent(/^₹1,234\.50$/);
    expect(await screen.findByRole('figure', { name: 'Balance over time' })).toBeInTheDocument();
    const list = screen.getByRole('heading', { name: 'Recent transactions' }).closest('section');
    expect(list).not.toBeNull();
    const link = within(list as HTMLElement).getByRole('link', { name: 'Reward for match final' });
    expect(link).toHaveAttribute('href', `/wallet/transactions/${recent[0]?._id}`);
    expect(within(list as HTMLElement).getByText('₹1,234.50')).toBeInTheDocument();
    const history = calls.find((c) => c.path === '/api/wallet/transactions');
    expect(history?.search.get('limit')).toBe('100');
  });

  it('shows the error envelope message when the wallet service is down', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () => ({ status: 503, body: { success: false, message: 'Wallet service unavailable', error: 'SERVICE_UNAVAILABLE' } }),
      'GET /api/wallet/transactions': () => ok([], page(1, 0, 100)),
    });
    renderRoute('/wallet', { signedIn: true });
    expect(await screen.findByRole('alert')).toHaveTextContent('Wallet service unavailable');
  });
});

describe('wallet funds', () => {
  it('splits the balance into deposit, winnings and bonus, shows withdrawable and the active bonus grants', async () => {
    const recent = [
      tx({ _id: 'tx_fee', type: 'entryFee', amount: -1000, description: 'Entry: cup', fund: null,
        funds: { deposit: -900, winnings: 0, bonus: -100 } }),
      tx({ _id: 'tx_win', type: 'reward', amount: 1700, description: 'Reward', fund: 'winnings' }),
      tx({ _id: 'tx_tds', type: 'tds', amount: -60, description: '', fund: 'winnings' }),
      tx({ _id: 'tx_bonus', type: 'bonus', amount: 250, description: '', fund: 'bonus' }),
      tx({ _id: 'tx_exp', type: 'bonusExpired', amount: -50, description: '', fund: 'bonus' }),
      tx({ _id: 'tx_gst', type: 'gst', amount: -18, description: '', fund: 'deposit' }),
      tx({ _id: 'tx_mig', type: 'migration', amount: 0, description: '', fund: null, funds: { deposit: -300, winnings: 300, bonus: 0 } }),
      tx({ _id: 'tx_cb', type: 'chargeback', amount: -100, description: '', fund: 'deposit' }),
    ];
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () =>
        ok(wallet({
          balance: 2340.5, available: 2340.5, held: 0,
          funds: { deposit: 100, winnings: 2040.5, bonus: 200 },
          heldFunds: { deposit: 0, winnings: 0, bonus: 0 },
          withdrawable: 2040.5,
          bonusGrants: [
            { id: 'bg_1', amount: 250, remaining: 150, currency: 'INR', reason: 'Welcome bonus', expiresAt: '2026-12-31T18:30:00Z', status: 'active', createdAt: '2026-11-01T00:00:00Z' },
            { id: 'bg_2', amount: 50, remaining: 50, currency: 'INR', reason: 'Diwali', expiresAt: null, status: 'active', createdAt: '2026-11-02T00:00:00Z' },
            { id: 'bg_3', amount: 80, remaining: 0, currency: 'INR', reason: 'Old promo', expiresAt: '2026-11-05T00:00:00Z', status: 'expired', createdAt: '2026-10-01T00:00:00Z' },
          ],
          recentTransactions: recent,
        })),
      'GET /api/wallet/transactions': () => ok([], page(1, 0, 100)),
    });
    renderRoute('/wallet', { signedIn: true });
    expect(await screen.findByTestId('wallet-fund-deposit')).toHaveTextContent(/^₹100\.00$/);
    expect(screen.getByTestId('wallet-fund-winnings')).toHaveTextContent(/^₹2,040\.50$/);
    expect(screen.getByTestId('wallet-fund-bonus')).toHaveTextContent(/^₹200\.00$/);
    expect(screen.getByTestId('wallet-withdrawable')).toHaveTextContent(/^₹2,040\.50$/);
    expect(screen.getByTestId('wallet-balance')).toHaveTextContent(/^₹2,340\.50$/);

    const grants = within(screen.getByRole('table', { name: 'Active bonus grants' }));
    const rows = grants.getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.slice(0, 3)).toEqual(['Welcome bonus', '₹250.00', '₹150.00']);
    expect(rows[0]?.[3]).not.toBe('Never');
    expect(rows[1]).toEqual(['Diwali', '₹50.00', '₹50.00', 'Never']);
    expect(grants.queryByText('Old promo')).toBeNull();

    const list = screen.getByRole('heading', { name: 'Recent transactions' }).closest('section') as HTMLElement;
    const items = within(list).getAllByRole('listitem').map((item) => item.textContent ?? '');
    expect(items[0]).toContain('Entry fee (Deposit -₹900.00 · Bonus -₹100.00)');
    expect(items[1]).toContain('Reward (Winnings)');
    expect(items[2]).toContain('TDS withheld (Winnings)');
    expect(items[3]).toContain('Bonus (Bonus)');
    expect(items[4]).toContain('Bonus expired (Bonus)');
    expect(items[5]).toContain('GST (Deposit)');
    expect(items[6]).toContain('Funds migration (Deposit -₹300.00 · Winnings ₹300.00)');
    expect(items[7]).toContain('Chargeback (Deposit)');
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Statements' })).toBeInTheDocument();
  });

  it('says when there is no active bonus', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () => ok(wallet()),
      'GET /api/wallet/transactions': () => ok([], page(1, 0, 100)),
    });
    renderRoute('/wallet', { signedIn: true });
    expect(await screen.findByText('No active bonus.')).toBeInTheDocument();
    expect(screen.getByTestId('wallet-fund-deposit')).toHaveTextContent(/^₹1,000\.00$/);
    expect(screen.getByTestId('wallet-withdrawable')).toHaveTextContent(/^₹1,000\.00$/);
  });
});

describe('fundText', () => {
  it('names one fund, lists a split, and is empty for a leg of no fund', () => {
    expect(fundText({ currency: 'INR', fund: 'winnings', funds: null })).toBe('Winnings');
    expect(fundText({ currency: 'INR', fund: null, funds: { deposit: -0.1, winnings: 0, bonus: -0.2 } })).toBe(
      'Deposit -₹0.10 · Bonus -₹0.20',
    );
    expect(fundText({ currency: 'INR', fund: null, funds: { deposit: 0, winnings: 5, bonus: 0 } })).toBe('Winnings');
    expect(fundText({ currency: 'INR', fund: null, funds: null })).toBe('');
  });
});
