import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ok, stubFetch } from '@/test/fetchStub';
import { page, tx, wallet } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
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
