import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { organizer, renderRoute } from '@/test/render';
import { competition, distribution, entrants, page } from './fixtures';

const user = userEvent.setup({ delay: null });

function ownerStubs(extra: Parameters<typeof stubFetch>[0] = {}) {
  return stubFetch({
    'GET /api/auth/me': () => ok({ user: organizer }),
    'GET /api/competitions/:id': () => ok(competition()),
    'GET /api/competitions/:id/entries': () => ok(entrants, page(2, 100)),
    ...extra,
  });
}

const previews = (calls: StubCall[]) => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/rewards/preview'));
const payments = (calls: StubCall[]) => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/rewards'));

async function openForm() {
  renderRoute('/competitions/c1', { signedIn: true });
  await screen.findByRole('heading', { name: 'Distribute a match' });
  await waitFor(() => expect(screen.getByRole('button', { name: 'Fill from entrants' })).toBeEnabled());
}

describe('distribute a match', () => {
  it('fills one standing per entrant, previews every payout and fee, and only then pays', async () => {
    const calls = ownerStubs({
      'POST /api/matches/:match/rewards/preview': () => ok(distribution()),
      'POST /api/matches/:match/rewards': () => ok(distribution({ status: 'paid' })),
    });
    await openForm();
    const pay = screen.getByRole('button', { name: 'Pay winners' });
    expect(pay).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Fill from entrants' }));
    expect(screen.getByLabelText('User ID 1')).toHaveValue('p_alpha');
    expect(screen.getByLabelText('Rank 1')).toHaveValue('1');
    expect(screen.getByLabelText('User ID 2')).toHaveValue('p_beta');
    expect(screen.getByLabelText('Rank 2')).toHaveValue('2');
    expect(screen.queryByLabelText('User ID 3')).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Match name'), 'final');
    expect(pay).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));

    const table = await screen.findByRole('table', { name: 'Payout preview' });
    const rows = within(table).getAllByRole('row');
    expect(rows.map((row) => row.textContent)).toEqual([
      'User IDRankAmount',
      'p_alpha1₹595.47',
      'p_beta2₹254.96',
      'Prize pool₹1,000.50',
      'Platform fee (10%)₹100.05',
      'Organizer fee (5%)₹50.02',
    ]);
    expect(pay).toBeEnabled();
    expect(payments(calls)).toHaveLength(0);
    const [preview] = previews(calls);
    expect(decodeURIComponent(preview?.path ?? '')).toBe('/api/matches/final@c1/rewards/preview');
    expect(preview?.body).toEqual({
      competitionId: 'c1',
      standings: [{ userId: 'p_alpha', rank: 1 }, { userId: 'p_beta', rank: 2 }],
      template: null, shares: null, prizePool: null,
    });

    await user.click(pay);
    expect(await screen.findByText('Rewards paid')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Paid rewards' })).toHaveTextContent('p_alpha1₹595.47');
    expect(screen.queryByRole('table', { name: 'Payout preview' })).not.toBeInTheDocument();
    const [paid] = payments(calls);
    expect(decodeURIComponent(paid?.path ?? '')).toBe('/api/matches/final@c1/rewards');
    expect(paid?.body).toEqual(preview?.body);
    expect(paid?.headers.get('Idempotency-Key')).toMatch(/^web-/);
    expect(screen.getByRole('button', { name: 'Pay winners' })).toBeDisabled();
  });

  it('asks for a new preview after any edit of the standings', async () => {
    const calls = ownerStubs({ 'POST /api/matches/:match/rewards/preview': () => ok(distribution()) });
    await openForm();
    await user.type(screen.getByLabelText('Match name'), 'final');
    await user.type(screen.getByLabelText('User ID 1'), 'p_alpha');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    await screen.findByRole('table', { name: 'Payout preview' });
    expect(screen.getByRole('button', { name: 'Pay winners' })).toBeEnabled();

    await user.click(screen.getByRole('button', { name: 'Add standing' }));
    await user.type(screen.getByLabelText('User ID 2'), 'p_beta');
    expect(screen.getByRole('button', { name: 'Pay winners' })).toBeDisabled();
    expect(screen.queryByRole('table', { name: 'Payout preview' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Remove standing 2' }));
    expect(screen.getByRole('button', { name: 'Pay winners' })).toBeEnabled();
    expect(previews(calls)).toHaveLength(1);
  });

  it('checks the match name and ranks before asking the server', async () => {
    const calls = ownerStubs();
    await openForm();
    await user.type(screen.getByLabelText('Match name'), 'final round');
    await user.type(screen.getByLabelText('User ID 1'), 'p_alpha');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("letters, digits, '.' or '-'");

    await user.clear(screen.getByLabelText('Match name'));
    await user.type(screen.getByLabelText('Match name'), 'final');
    await user.clear(screen.getByLabelText('Rank 1'));
    await user.type(screen.getByLabelText('Rank 1'), '1.5');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Rank 1 must be a whole number');
    expect(previews(calls)).toHaveLength(0);
  });

  it("shows the server's refusal of a preview and keeps Pay winners off", async () => {
    ownerStubs({
      'POST /api/matches/:match/rewards/preview': () =>
        fail(400, "Standing 'p_ghost' is not a registered player", 'UNKNOWN_PLAYER'),
    });
    await openForm();
    await user.type(screen.getByLabelText('Match name'), 'final');
    await user.type(screen.getByLabelText('User ID 1'), 'p_ghost');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("Standing 'p_ghost' is not a registered player");
    expect(screen.getByRole('button', { name: 'Pay winners' })).toBeDisabled();
  });

  it('retries a failed payment with the same Idempotency-Key', async () => {
    let attempt = 0;
    const calls = ownerStubs({
      'POST /api/matches/:match/rewards/preview': () => ok(distribution()),
      'POST /api/matches/:match/rewards': () => {
        attempt += 1;
        return attempt === 1
          ? fail(503, 'The reward service is unavailable', 'SERVICE_UNAVAILABLE')
          : ok(distribution({ status: 'paid' }));
      },
    });
    await openForm();
    await user.type(screen.getByLabelText('Match name'), 'final');
    await user.type(screen.getByLabelText('User ID 1'), 'p_alpha');
    await user.click(screen.getByRole('button', { name: 'Preview payouts' }));
    await screen.findByRole('table', { name: 'Payout preview' });
    await user.click(screen.getByRole('button', { name: 'Pay winners' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The reward service is unavailable');
    await user.click(screen.getByRole('button', { name: 'Pay winners' }));
    expect(await screen.findByText('Rewards paid')).toBeInTheDocument();
    const keys = payments(calls).map((call) => call.headers.get('Idempotency-Key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
  });
});
