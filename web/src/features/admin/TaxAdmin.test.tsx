import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clickTwiceAtOnce } from '@/test/clickTwice';
import { captureDownloads, readBlob, type SavedFile } from '@/test/downloads';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { tx } from '@/test/fixtures';
import { admin, player, renderRoute } from '@/test/render';

const user = userEvent.setup({ delay: null });

const protection = {
  userId: 'u_player_1',
  kyc: { status: 'none' },
  limits: { currency: 'INR', depositDaily: null, depositMonthly: null, entryDaily: null, pending: [] },
  selfExclusion: { selfExcluded: false, until: null, permanent: false, since: null },
};

function bonusStubs(posts: StubCall[], reply: (call: StubCall) => Response) {
  return stubFetch({
    'GET /api/auth/me': () => ok({ user: admin }),
    'GET /api/admin/users/:id/protection': () => ok(protection),
    'POST /api/admin/users/:id/bonus': (call) => {
      posts.push(call);
      return reply(call);
    },
  });
}

const granted = () =>
  new Response(JSON.stringify({ success: true, message: 'Bonus granted', data: tx({ _id: 'tx_bonus_1', type: 'bonus', amount: 250.5, fund: 'bonus' }) }),
    { status: 201, headers: { 'Content-Type': 'application/json' } });

describe('admin bonus grant', () => {
  it('checks amount, reason and expiry before sending anything', async () => {
    const posts: StubCall[] = [];
    bonusStubs(posts, granted);
    renderRoute('/admin/users/u_player_1', { signedIn: true });
    const form = within((await screen.findByRole('heading', { name: 'Grant a bonus' })).closest('section') as HTMLElement);
    await user.click(form.getByRole('button', { name: 'Grant bonus' }));
    expect(form.getByLabelText('Bonus amount')).toHaveAccessibleDescription(expect.stringContaining('Enter an amount.'));
    expect(form.getByLabelText('Reason')).toHaveAccessibleDescription('Enter a reason.');
    for (const bad of ['0', '-5', '1.005', 'abc', '1e3', 'NaN', '99999999999999999']) {
      await user.clear(form.getByLabelText('Bonus amount'));
      await user.type(form.getByLabelText('Bonus amount'), bad);
      await user.click(form.getByRole('button', { name: 'Grant bonus' }));
      expect(form.getByLabelText('Bonus amount'), bad).toHaveAttribute('aria-invalid', 'true');
    }
    await user.clear(form.getByLabelText('Bonus amount'));
    await user.type(form.getByLabelText('Bonus amount'), '100');
    await user.type(form.getByLabelText('Reason'), 'Welcome');
    await user.type(form.getByLabelText('Expires (optional)'), '2020-01-01T10:00');
    await user.click(form.getByRole('button', { name: 'Grant bonus' }));
    expect(form.getByLabelText('Expires (optional)')).toHaveAccessibleDescription('The expiry must be in the future.');
    expect(posts).toHaveLength(0);
  });

  it('sends one grant with an Idempotency-Key kept across a retry and renewed after success', async () => {
    const posts: StubCall[] = [];
    bonusStubs(posts, () => (posts.length === 1 ? fail(503, 'Wallet service unavailable', 'SERVICE_UNAVAILABLE') : granted()));
    renderRoute('/admin/users/u_player_1', { signedIn: true });
    const form = within((await screen.findByRole('heading', { name: 'Grant a bonus' })).closest('section') as HTMLElement);
    await user.type(form.getByLabelText('Bonus amount'), '250.50');
    await user.type(form.getByLabelText('Reason'), '  Diwali promo ');
    await user.type(form.getByLabelText('Expires (optional)'), '2099-01-31T18:30');
    clickTwiceAtOnce(form.getByRole('button', { name: 'Grant bonus' }));
    expect(await form.findByRole('alert')).toHaveTextContent('Wallet service unavailable');
    expect(posts).toHaveLength(1);
    await user.click(form.getByRole('button', { name: 'Grant bonus' }));
    expect(await form.findByRole('status')).toHaveTextContent('Bonus of ₹250.50 granted (transaction tx_bonus_1).');
    expect(posts).toHaveLength(2);
    expect(posts[0]?.path).toBe('/api/admin/users/u_player_1/bonus');
    expect(posts[0]?.body).toEqual({
      amount: 250.5, currency: 'INR', reason: 'Diwali promo', expiresAt: new Date('2099-01-31T18:30').toISOString(),
    });
    const key = posts[0]?.headers.get('Idempotency-Key');
    expect(key).toMatch(/^web-[0-9a-f-]{36}$/);
    expect(posts[1]?.headers.get('Idempotency-Key')).toBe(key);
    expect(form.getByLabelText('Bonus amount')).toHaveValue('');

    await user.type(form.getByLabelText('Bonus amount'), '10');
    await user.type(form.getByLabelText('Reason'), 'Again');
    await user.click(form.getByRole('button', { name: 'Grant bonus' }));
    await waitFor(() => expect(posts).toHaveLength(3));
    expect(posts[2]?.headers.get('Idempotency-Key')).not.toBe(key);
    expect(posts[2]?.body).toEqual({ amount: 10, currency: 'INR', reason: 'Again' });
  });

  it('shows the refusal for an unknown user', async () => {
    const posts: StubCall[] = [];
    bonusStubs(posts, () => fail(404, 'User not found', 'NOT_FOUND'));
    renderRoute('/admin/users/u_nobody', { signedIn: true });
    const form = within((await screen.findByRole('heading', { name: 'Grant a bonus' })).closest('section') as HTMLElement);
    await user.type(form.getByLabelText('Bonus amount'), '5');
    await user.type(form.getByLabelText('Reason'), 'Test');
    await user.click(form.getByRole('button', { name: 'Grant bonus' }));
    expect(await form.findByRole('alert')).toHaveTextContent('User not found');
    expect(posts[0]?.path).toBe('/api/admin/users/u_nobody/bonus');
  });
});

const report = {
  fy: '2026-27',
  quarter: null,
  currency: 'INR',
  lines: [
    { userId: 'u_player_1', pan: 'XXXXXX234F', quarter: 'Q3', netWinnings: 200, tds: 60, withdrawals: 1 },
    { userId: 'u_player_2', pan: null, quarter: 'Q3', netWinnings: 1000.1, tds: 300.03, withdrawals: 2 },
  ],
  totals: { netWinnings: 1200.1, tds: 360.03, withdrawals: 3 },
};

describe('admin TDS report', () => {
  let saved: SavedFile[];
  beforeEach(() => {
    saved = captureDownloads();
  });
  afterEach(() => vi.restoreAllMocks());

  it('is in the admin navigation and lists TDS per user for the year and quarter chosen, with totals and CSV', async () => {
    const calls: StubCall[] = [];
    stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/payouts': () => ok([], { pagination: { page: 1, limit: 20, total: 0, pages: 0 } }),
      'GET /api/admin/tax/tds': (call) => {
        calls.push(call);
        if (call.search.get('format') === 'csv') {
          return new Response('userId,pan,quarter,netWinnings,tds\r\nu_player_1,XXXXXX234F,Q3,200.00,60.00\r\n', {
            headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="tds-2026-27-Q3.csv"' },
          });
        }
        return ok(call.search.get('quarter') ? { ...report, quarter: call.search.get('quarter') } : report);
      },
    });
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-02T10:00:00Z') });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(within(await screen.findByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'TDS report' }));
    expect(await screen.findByRole('heading', { name: 'TDS report' })).toBeInTheDocument();
    expect(screen.getByLabelText('Financial year')).toHaveValue('2026-27');
    vi.useRealTimers();
    const table = await screen.findByRole('table', { name: 'TDS by user' });
    const rows = within(table).getAllByRole('row').slice(1, 3).map((row) => within(row).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['u_player_1', 'XXXXXX234F', 'Q3', '1', '₹200.00', '₹60.00'],
      ['u_player_2', '—', 'Q3', '2', '₹1,000.10', '₹300.03'],
    ]);
    expect(screen.getByTestId('tds-total-net-winnings')).toHaveTextContent('₹1,200.10');
    expect(screen.getByTestId('tds-total-tds')).toHaveTextContent('₹360.03');
    expect(screen.getByTestId('tds-total-withdrawals')).toHaveTextContent('3');
    expect(calls[0]?.search.get('fy')).toBe('2026-27');
    expect(calls[0]?.search.has('quarter')).toBe(false);

    await user.selectOptions(screen.getByLabelText('Quarter'), 'Q3');
    await waitFor(() => expect(calls.at(-1)?.search.get('quarter')).toBe('Q3'));
    await user.selectOptions(screen.getByLabelText('Financial year'), '2025-26');
    await waitFor(() => expect(calls.at(-1)?.search.get('fy')).toBe('2025-26'));
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    const csv = calls.at(-1)!;
    expect([csv.search.get('fy'), csv.search.get('quarter'), csv.search.get('format')]).toEqual(['2025-26', 'Q3', 'csv']);
    expect(csv.headers.get('Authorization')).toBe('Bearer test-token');
    expect(saved[0]?.filename).toBe('tds-2026-27-Q3.csv');
    expect(await readBlob(saved[0]!.blob)).toContain('u_player_1,XXXXXX234F,Q3,200.00,60.00');
  });

  it('shows the refusal, and is not for players', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/tax/tds': () => fail(503, 'Wallet service unavailable', 'SERVICE_UNAVAILABLE'),
    });
    const { unmount } = renderRoute('/admin/tax/tds', { signedIn: true });
    expect(await screen.findByRole('alert')).toHaveTextContent('Wallet service unavailable');
    unmount();
    const calls = stubFetch({ 'GET /api/auth/me': () => ok({ user: player }) });
    renderRoute('/admin/tax/tds', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
    expect(calls.some((call) => call.path === '/api/admin/tax/tds')).toBe(false);
  });
});
