import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { clickTwiceAtOnce } from '@/test/clickTwice';
import { ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { organizer, player, renderRoute } from '@/test/render';
import { competition, distribution, entrants, page } from './fixtures';

const user = userEvent.setup({ delay: null });
const posts = (calls: StubCall[], suffix: string) =>
  calls.filter((c) => c.method === 'POST' && decodeURIComponent(c.path).endsWith(suffix));

function ownerStubs(extra: Parameters<typeof stubFetch>[0]) {
  return stubFetch({
    'GET /api/auth/me': () => ok({ user: organizer }),
    'GET /api/competitions/:id': () => ok(competition()),
    'GET /api/competitions/:id/entries': () => ok(entrants, page(2, 100)),
    ...extra,
  });
}

describe('competition money buttons clicked twice in one tick', () => {
  it('Enter sends one entry', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/competitions/:id': () => ok(competition()),
      'POST /api/competitions/:id/entry': () => ({ status: 201, body: { success: true, message: 'ok', data: {} } }),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    clickTwiceAtOnce(await screen.findByRole('button', { name: 'Enter' }));
    expect(await screen.findByText('You have entered')).toBeInTheDocument();
    expect(posts(calls, '/entry')).toHaveLength(1);
  });

  it('Fund pool sends one sponsorship', async () => {
    const calls = ownerStubs({
      'POST /api/competitions/:id/fund': () => ({ status: 201, body: { success: true, message: 'ok', data: {} } }),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    await user.type(await screen.findByLabelText('Sponsor amount'), '250.75');
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Fund pool' }));
    expect(await screen.findByText('Added ₹250.75 to the pool.')).toBeInTheDocument();
    expect(posts(calls, '/fund')).toHaveLength(1);
  });

  it('Cancel and refund sends one refund', async () => {
    const calls = ownerStubs({
      'POST /api/competitions/:id/refund': () =>
        ok({
          competition: competition({ status: 'cancelled' }),
          refund: {
            reason: 'Rained off', status: 'done', total: 100, entryId: null,
            refunds: [{ userId: 'p_alpha', amount: 100, kind: 'entryFee' }],
            createdAt: '2026-12-02T10:00:00Z', updatedAt: '2026-12-02T10:00:00Z',
          },
        }),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    await user.type(await screen.findByLabelText('Reason'), 'Rained off');
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Cancel and refund' }));
    expect(await screen.findByText('Cancelled: ₹100.00 refunded to 1 payer.')).toBeInTheDocument();
    expect(posts(calls, '/refund')).toHaveLength(1);
  });

  it('Pay winners sends one distribution', async () => {
    const calls = ownerStubs({
      'POST /api/matches/:match/rewards/preview': () => ok(distribution()),
      'POST /api/matches/:match/rewards': () => ok(distribution({ status: 'paid' })),
    });
    renderRoute('/competitions/c1', { signedIn: true });
    await screen.findByRole('heading', { name: 'Distribute a match' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Fill from entrants' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Fill from entrants' }));
    await user.type(screen.getByLabelText('Match name'), 'final');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    await screen.findByRole('table', { name: 'Payout preview' });
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Pay winners' }));
    expect(await screen.findByText('Rewards paid')).toBeInTheDocument();
    expect(posts(calls, '/rewards')).toHaveLength(1);
  });

  it('Open competition sends one competition', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: organizer }),
      'POST /api/competitions': () => ({ status: 201, body: { success: true, message: 'ok', data: competition({ _id: 'c9' }) } }),
      'GET /api/competitions/:id': () => ok(competition({ _id: 'c9' })),
      'GET /api/competitions/:id/entries': () => ok([], page(0, 100)),
    });
    const { router } = renderRoute('/competitions/new', { signedIn: true });
    await user.type(await screen.findByLabelText('Entry fee'), '50');
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Open competition' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/competitions/c9'));
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/competitions')).toHaveLength(1);
  });
});
