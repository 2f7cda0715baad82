import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { config, tx } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { checkoutNavigation } from './TopUpPage';

const user = userEvent.setup({ delay: null });
const me = () => ok({ user: player });

describe('top-up form', () => {
  let go: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    go = vi.spyOn(checkoutNavigation, 'go').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it('shows the server limits and refuses amounts outside them without calling the API', async () => {
    const calls = stubFetch({ 'GET /api/auth/me': me, 'GET /api/config': () => ok(config) });
    renderRoute('/wallet/topup', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Top up' })).toBeInTheDocument();
    expect(await screen.findByText('Minimum ₹100.00, maximum ₹1,00,000.00')).toBeInTheDocument();
    const amount = screen.getByLabelText('Amount');
    const button = screen.getByRole('button', { name: 'Continue to checkout' });
    for (const [text, message] of [
      ['99.99', 'The minimum is ₹100.00.'],
      ['100000.01', 'The maximum is ₹1,00,000.00.'],
      ['10.001', 'Use at most 2 decimal places.'],
      ['-100', 'Enter a positive amount in numbers, like 1000 or 1000.50.'],
      ['0', 'The amount must be more than zero.'],
    ] as const) {
      await user.clear(amount);
      await user.type(amount, text);
      await user.click(button);
      expect(amount).toHaveAccessibleDescription(expect.stringContaining(message));
      expect(amount).toHaveAttribute('aria-invalid', 'true');
    }
    expect(calls.filter((c) => c.path === '/api/wallet/topup')).toHaveLength(0);
  });

  it('posts the exact amount with one Idempotency-Key per action and goes to checkout', async () => {
    const topups: StubCall[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    stubFetch({
      'GET /api/auth/me': me,
      'GET /api/config': () => ok(config),
      'POST /api/wallet/topup': async (call) => {
        topups.push(call);
        if (topups.length === 1) return fail(503, 'Payments are unavailable, try again', 'SERVICE_UNAVAILABLE');
        await gate;
        return { status: 201, body: { success: true, message: 'ok', data: { sessionId: 's_1', checkoutUrl: '/checkout/mock/s_1', provider: 'mock' } } };
      },
    });
    renderRoute('/wallet/topup', { signedIn: true });
    await screen.findByText('Minimum ₹100.00, maximum ₹1,00,000.00');
    await user.type(screen.getByLabelText('Amount'), '1000.50');
    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Payments are unavailable, try again');

    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    const busy = await screen.findByRole('button', { name: 'Working…' });
    expect(busy).toBeDisabled();
    expect(busy).toHaveAttribute('aria-busy', 'true');
    await user.click(busy);
    release();
    await waitFor(() => expect(go).toHaveBeenCalledWith('/checkout/mock/s_1'));
    expect(topups).toHaveLength(2);
    expect(topups[0]?.body).toEqual({ amount: 1000.5, currency: 'INR' });
    const firstKey = topups[0]?.headers.get('Idempotency-Key');
    expect(firstKey).toMatch(/^[A-Za-z0-9_.:@-]{1,64}$/);
    expect(topups[1]?.headers.get('Idempotency-Key')).toBe(firstKey);
  });

  it('uses a new key when the amount changes', async () => {
    const topups: StubCall[] = [];
    stubFetch({
      'GET /api/auth/me': me,
      'GET /api/config': () => ok(config),
      'POST /api/wallet/topup': (call) => {
        topups.push(call);
        return fail(400, 'Top-ups are paused', 'TOPUP_PAUSED');
      },
    });
    renderRoute('/wallet/topup', { signedIn: true });
    const amount = await screen.findByLabelText('Amount');
    await user.type(amount, '500');
    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    await screen.findByRole('alert');
    await user.type(amount, '0');
    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    await waitFor(() => expect(topups).toHaveLength(2));
    expect(topups[1]?.body).toEqual({ amount: 5000, currency: 'INR' });
    expect(topups[1]?.headers.get('Idempotency-Key')).not.toBe(topups[0]?.headers.get('Idempotency-Key'));
  });

  it('works without GET /api/config (limits checked by the server)', async () => {
    const topups: StubCall[] = [];
    stubFetch({
      'GET /api/auth/me': me,
      'GET /api/config': () => fail(404, 'Not found', 'NOT_FOUND'),
      'POST /api/wallet/topup': (call) => {
        topups.push(call);
        return fail(400, 'Amount must be at least 100.00 INR', 'INVALID_AMOUNT');
      },
    });
    renderRoute('/wallet/topup', { signedIn: true });
    expect(await screen.findByText(/limits could not be loaded/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Amount'), '50');
    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Amount must be at least 100.00 INR');
    expect(topups).toHaveLength(1);
  });
});

describe('back from checkout', () => {
  it('verifies the session and shows what was credited and the new balance', async () => {
    const verifies: StubCall[] = [];
    stubFetch({
      'GET /api/auth/me': me,
      'POST /api/wallet/topup/verify': (call) => {
        verifies.push(call);
        return ok({
          sessionId: 's_1', status: 'credited', amount: 1000, balance: 1500.25, currency: 'INR',
          transaction: tx({ amount: 1000 }),
        });
      },
    });
    renderRoute('/wallet/topup/success?session_id=s_1', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Top-up complete' })).toBeInTheDocument();
    expect(screen.getByTestId('topup-credited')).toHaveTextContent(/^₹1,000\.00$/);
    expect(screen.getByTestId('wallet-balance')).toHaveTextContent(/^₹1,500\.25$/);
    expect(verifies[0]?.body).toEqual({ sessionId: 's_1' });
  });

  it('says it is confirming while the provider has not settled, and asks again until it completes', async () => {
    let answers = 0;
    stubFetch({
      'GET /api/auth/me': me,
      'POST /api/wallet/topup/verify': () => {
        answers += 1;
        const status = answers < 2 ? 'paid' : 'credited';
        return ok({ sessionId: 's_2', status, amount: 200, balance: 200, currency: 'INR', transaction: null });
      },
    });
    renderRoute('/wallet/topup/success?session_id=s_2', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Confirming your payment' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Check again' })).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Top-up complete' })).toBeInTheDocument();
    expect(answers).toBe(2);
  });

  it.each(['failed', 'expired', 'cancelled'])('says "Top-up not completed" when the session is %s', async (status) => {
    stubFetch({
      'GET /api/auth/me': me,
      'POST /api/wallet/topup/verify': () =>
        ok({ sessionId: 's_3', status, amount: 200, balance: 0, currency: 'INR', transaction: null }),
    });
    renderRoute('/wallet/topup/success?session_id=s_3', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Top-up not completed' })).toBeInTheDocument();
    expect(screen.queryByTestId('topup-credited')).not.toBeInTheDocument();
  });

  it('shows an unknown session as not completed with the envelope message', async () => {
    stubFetch({
      'GET /api/auth/me': me,
      'POST /api/wallet/topup/verify': () => fail(404, 'Top-up session not found', 'NOT_FOUND'),
    });
    renderRoute('/wallet/topup/success?session_id=nope', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Top-up not completed' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Top-up session not found');
  });

  it('the cancel page says nothing was charged', async () => {
    stubFetch({ 'GET /api/auth/me': me });
    renderRoute('/wallet/topup/cancel?session_id=s_4', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Top-up cancelled' })).toBeInTheDocument();
    expect(screen.getByText('Nothing was charged.')).toBeInTheDocument();
  });
});
