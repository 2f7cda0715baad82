import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fail, ok, stubFetch } from '@/test/fetchStub';
import { organizer, player, renderRoute } from '@/test/render';
import { competition, entrants, page } from './fixtures';

const user = userEvent.setup({ delay: null });

describe('competitions list', () => {
  it('lists competitions with links, filters by status and offers "Open a competition" to organizers', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: organizer }),
      'GET /api/competitions': (call) =>
        ok(call.search.get('status') === 'cancelled' ? [] : [competition(), competition({ _id: 'c2' })], page(2)),
    });
    renderRoute('/competitions', { signedIn: true });
    expect(await screen.findByRole('link', { name: 'c1' })).toHaveAttribute('href', '/competitions/c1');
    expect(screen.getByRole('link', { name: 'c2' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open a competition' })).toHaveAttribute('href', '/competitions/new');
    expect(screen.getAllByText('₹1,000.50')).toHaveLength(2);

    await user.selectOptions(screen.getByLabelText('Status'), 'cancelled');
    expect(await screen.findByText('No competitions yet.')).toBeInTheDocument();
    const last = calls.filter((c) => c.path === '/api/competitions').at(-1);
    expect(last?.search.get('status')).toBe('cancelled');
    expect(last?.search.get('page')).toBe('1');
  });

  it('shows no "Open a competition" link to players', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/competitions': () => ok([competition()], page(1)),
    });
    renderRoute('/competitions', { signedIn: true });
    await screen.findByRole('link', { name: 'c1' });
    expect(screen.queryByRole('link', { name: 'Open a competition' })).not.toBeInTheDocument();
  });
});

describe('open a competition', () => {
  it('sends the exact entry fee, currency and template and goes to the new competition', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: organizer }),
      'POST /api/competitions': () => ({ status: 201, body: { success: true, message: 'ok', data: competition({ _id: 'c9' }) } }),
      'GET /api/competitions/:id': () => ok(competition({ _id: 'c9' })),
      'GET /api/competitions/:id/entries': () => ok([], page(0, 100)),
    });
    const { router } = renderRoute('/competitions/new', { signedIn: true });
    await user.type(await screen.findByLabelText('Entry fee'), '0.1');
    await user.selectOptions(screen.getByLabelText('Currency'), 'USD');
    await user.selectOptions(screen.getByLabelText('Prize template'), 'top5');
    await user.click(screen.getByRole('button', { name: 'Open competition' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/competitions/c9'));
    const open = calls.find((c) => c.method === 'POST');
    expect(open?.body).toEqual({ entryFee: 0.1, currency: 'USD', template: 'top5', organizerId: null });
    expect(open?.headers.get('Idempotency-Key')).toMatch(/^web-/);
  });

  it('refuses a fractional paisa before calling the server', async () => {
    const calls = stubFetch({ 'GET /api/auth/me': () => ok({ user: organizer }) });
    renderRoute('/competitions/new', { signedIn: true });
    await user.type(await screen.findByLabelText('Entry fee'), '10.005');
    await user.click(screen.getByRole('button', { name: 'Open competition' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('at most 2 decimal places');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('is not for players', async () => {
    stubFetch({ 'GET /api/auth/me': () => ok({ user: player }) });
    renderRoute('/competitions/new', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
  });
});

describe('competition page', () => {
  it('shows the pool, fee, entries and status, and lets a player enter once', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/competitions/:id': () => ok(competition()),
      'POST /api/competitions/:id/entry': () => ({ status: 201, body: { success: true, message: 'Entry fee paid successfully', data: {} } }),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Competition c1' })).toBeInTheDocument();
    expect(await screen.findByTestId('pool-balance')).toHaveTextContent(/^₹1,000\.50$/);
    expect(screen.getByTestId('entry-fee')).toHaveTextContent(/^₹100\.00$/);
    expect(screen.getByTestId('entries-count')).toHaveTextContent(/^2$/);
    expect(screen.getByTestId('competition-status')).toHaveTextContent(/^open$/);
    expect(screen.queryByRole('heading', { name: 'Fund the pool' })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith('/entries'))).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Enter' }));
    expect(await screen.findByText('You have entered')).toBeInTheDocument();
    const entry = calls.find((c) => c.method === 'POST');
    expect(entry?.path).toBe('/api/competitions/c1/entry');
    expect(entry?.body).toEqual({});
    expect(entry?.headers.get('Idempotency-Key')).toMatch(/^web-/);
  });

  it("shows the envelope message when an entry is refused", async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/competitions/:id': () => ok(competition()),
      'POST /api/competitions/:id/entry': () => fail(400, 'Insufficient balance', 'INSUFFICIENT_FUNDS'),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Enter' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Insufficient balance');
    expect(screen.queryByText('You have entered')).not.toBeInTheDocument();
  });

  it('lets the owner fund the pool with a required Idempotency-Key, list entrants and cancel with refunds', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: organizer }),
      'GET /api/competitions/:id': () => ok(competition()),
      'GET /api/competitions/:id/entries': () => ok(entrants, page(2, 100)),
      'POST /api/competitions/:id/fund': () => ({ status: 201, body: { success: true, message: 'ok', data: {} } }),
      'POST /api/competitions/:id/refund': () =>
        ok({
          competition: competition({ status: 'cancelled' }),
          refund: {
            reason: 'Rained off', status: 'done', total: 200, entryId: null,
            refunds: [{ userId: 'p_alpha', amount: 100, kind: 'entryFee' }, { userId: 'p_beta', amount: 100, kind: 'entryFee' }],
            createdAt: '2026-12-02T10:00:00Z', updatedAt: '2026-12-02T10:00:00Z',
          },
        }),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    const entrantList = await screen.findByRole('list', { name: 'Entrants' });
    expect(entrantList).toHaveTextContent('p_alpha');
    expect(entrantList).toHaveTextContent('p_beta');
    expect(screen.queryByRole('button', { name: 'Enter' })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Sponsor amount'), '250.75');
    await user.click(screen.getByRole('button', { name: 'Fund pool' }));
    expect(await screen.findByText('Added ₹250.75 to the pool.')).toBeInTheDocument();
    const fund = calls.find((c) => c.path === '/api/competitions/c1/fund');
    expect(fund?.body).toEqual({ amount: 250.75, currency: 'INR' });
    expect(fund?.headers.get('Idempotency-Key')).toMatch(/^web-/);

    await user.click(screen.getByRole('button', { name: 'Cancel and refund' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter the reason for cancelling.');
    await user.type(screen.getByLabelText('Reason'), 'Rained off');
    await user.click(screen.getByRole('button', { name: 'Cancel and refund' }));
    expect(await screen.findByText('Cancelled: ₹200.00 refunded to 2 payers.')).toBeInTheDocument();
    const refund = calls.find((c) => c.path === '/api/competitions/c1/refund');
    expect(refund?.body).toEqual({ reason: 'Rained off' });
    expect(refund?.headers.get('Idempotency-Key')).toMatch(/^web-/);
  });

  it('does not show the management tools to another organizer', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: { ...organizer, _id: 'u_org_2' } }),
      'GET /api/competitions/:id': () => ok(competition()),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    await screen.findByTestId('pool-balance');
    expect(screen.queryByRole('heading', { name: 'Fund the pool' })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Distribute a match' })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith('/entries'))).toBe(false);
  });
});
