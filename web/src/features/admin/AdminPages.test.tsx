import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fail, ok, stubFetch } from '@/test/fetchStub';
import { admin, organizer, player, renderRoute } from '@/test/render';
import { analytics } from './fixtures';

const user = userEvent.setup({ delay: null });

const ADMIN_PATHS = ['/admin/payouts', '/admin/transactions', '/admin/books', '/admin/analytics'];

describe('admin guard', () => {
  it.each(ADMIN_PATHS.flatMap((path) => [[path, player], [path, organizer]] as const))(
    '%s shows "Not allowed" to a non-admin and fetches no admin data',
    async (path, who) => {
      const calls = stubFetch({ 'GET /api/auth/me': () => ok({ user: who }) });
      renderRoute(path, { signedIn: true });
      expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
      expect(screen.queryByRole('link', { name: 'Payout queue' })).not.toBeInTheDocument();
      expect(calls.map((c) => c.path)).toEqual(['/api/auth/me']);
    },
  );
});

describe('books', () => {
  it('runs the audit only when asked and shows "Balanced" with the check counts', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/audit': () =>
        ok({
          ok: true, checkedAt: '2026-12-02T04:00:00Z', stuck: [], discrepancies: [],
          ledger: { ok: true, accountsChecked: 12, transactionsChecked: 340, holdsChecked: 3, totals: {}, violations: [] },
          crossService: { ok: true, checked: { payouts: 7, topups: 9 } },
        }),
    });
    renderRoute('/admin/books', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Run audit' }));
    expect(await screen.findByTestId('audit-status')).toHaveTextContent(/^Balanced$/);
    expect(screen.getByText('Accounts checked: 12')).toBeInTheDocument();
    expect(screen.getByText('payouts: 7 checked')).toBeInTheDocument();
    expect(calls.filter((c) => c.path === '/api/admin/audit')).toHaveLength(1);
  });

  it('lists the discrepancies it found', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/audit': () =>
        ok({
          ok: false, checkedAt: '2026-12-02T04:00:00Z', stuck: [],
          discrepancies: [{
            kind: 'payout_without_debit', source: 'crossService', detail: 'Payout po_9 was paid but the wallet has no debit',
            ids: { payoutId: 'po_9' }, amounts: { payout: 1500.25 }, amountsMinor: { payout: 150025 }, currency: 'INR',
          }],
          ledger: { ok: true, accountsChecked: 1, transactionsChecked: 1, holdsChecked: 0, totals: {}, violations: [] },
          crossService: { ok: false, checked: { payouts: 1 } },
        }),
    });
    renderRoute('/admin/books', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Run audit' }));
    expect(await screen.findByTestId('audit-status')).toHaveTextContent(/^Discrepancies found$/);
    const list = screen.getByRole('list', { name: 'Discrepancies' });
    expect(within(list).getByText(/Payout po_9 was paid/)).toBeInTheDocument();
    expect(within(list).getByText('payout ₹1,500.25')).toBeInTheDocument();
    expect(within(list).getByText('payoutId po_9')).toBeInTheDocument();
  });

  it('shows the envelope message when the auditor is down', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/audit': () => fail(503, 'The auditor is unavailable', 'SERVICE_UNAVAILABLE'),
    });
    renderRoute('/admin/books', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Run audit' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The auditor is unavailable');
  });
});

describe('analytics', () => {
  it('asks for the range and currency and shows both charts and the exact totals', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/analytics': (call) => ok({ ...analytics, currency: call.search.get('currency') ?? 'INR' }),
    });
    renderRoute('/admin/analytics', { signedIn: true });
    const totals = await screen.findByRole('table', { name: 'Totals' });
    expect(within(totals).getByRole('row', { name: /Top-ups/ })).toHaveTextContent('₹90,07,19,92,547.19');
    expect(within(totals).getByRole('row', { name: /Platform fees/ })).toHaveTextContent('₹42.34');
    expect(within(totals).getByRole('row', { name: /Refunds/ })).toHaveTextContent('₹0.01');
    const scroller = screen.getByRole('region', { name: 'Totals' });
    expect(scroller).toContainElement(totals);
    expect(scroller).toHaveAttribute('tabindex', '0');
    expect(screen.getByLabelText('Money in and out by day')).toBeInTheDocument();
    expect(screen.getByLabelText('Fees by day')).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-30' } });
    await user.selectOptions(screen.getByLabelText('Currency'), 'USD');
    await waitFor(() => {
      const last = calls.filter((c) => c.path === '/api/admin/analytics').at(-1);
      expect(Object.fromEntries(last?.search ?? [])).toEqual({ from: '2026-11-01', to: '2026-11-30', currency: 'USD' });
    });
    expect(await screen.findByText('$42.34')).toBeInTheDocument();
  });

  it('does not ask for a range that ends before it starts', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/analytics': () => ok(analytics),
    });
    renderRoute('/admin/analytics', { signedIn: true });
    await screen.findByRole('table', { name: 'Totals' });
    const before = calls.length;
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2000-01-01' } });
    expect(await screen.findByRole('alert')).toHaveTextContent('"From" must not be after "To".');
    expect(calls.slice(before).filter((c) => c.path === '/api/admin/analytics')).toHaveLength(0);
  });
});

describe('all transactions', () => {
  it('filters by user, type and status and links rows to the detail view', async () => {
    const tx = {
      _id: 'tx_1', userId: 'u_player_1', type: 'topup', amount: 1000, currency: 'INR', source: 'stripe',
      status: 'completed', description: 'Wallet top-up', metadata: {}, idempotencyKey: null, balanceAfter: 1000,
      createdAt: '2026-12-01T10:00:00Z',
    };
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/transactions/all': () => ok([tx], { pagination: { page: 1, limit: 20, total: 1, pages: 1 } }),
    });
    renderRoute('/admin/transactions', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'All transactions' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Wallet top-up' })).toHaveAttribute('href', '/wallet/transactions/tx_1');
    await user.type(screen.getByLabelText('User ID'), 'u_player_1');
    await user.selectOptions(screen.getByLabelText('Type'), 'topup');
    await waitFor(() => {
      const last = calls.filter((c) => c.path === '/api/transactions/all').at(-1);
      expect(last?.search.get('userId')).toBe('u_player_1');
      expect(last?.search.get('type')).toBe('topup');
    });
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeInTheDocument();
  });
});
