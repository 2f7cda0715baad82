import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { config, page, payout, wallet } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { EMPTY_FIELDS, checkMethod } from './methods';

const user = userEvent.setup({ delay: null });

describe('payout method rules (as payout_service/domain/methods.py)', () => {
  const upi = (upiId: string, upiName = 'John Doe') => checkMethod('upi', { ...EMPTY_FIELDS, upiId, upiName });
  const bank = (accountNumber: string, ifsc: string, accountHolderName = 'John Doe') =>
    checkMethod('bank', { ...EMPTY_FIELDS, accountNumber, ifsc, accountHolderName });
  const stripe = (accountId: string) => checkMethod('stripe', { ...EMPTY_FIELDS, accountId });

  it('UPI: handle@provider, and a name', () => {
    expect(upi(' player@paytm ')).toEqual({ ok: true, method: { type: 'upi', details: { upiId: 'player@paytm', name: 'John Doe' } } });
    expect(upi('a.b_c-d@okicici').ok).toBe(true);
    for (const bad of ['player', 'p@paytm', 'player@p', 'play er@paytm', 'player@pay-tm', 'player@@paytm', '']) {
      expect(upi(bad).ok, bad).toBe(false);
    }
    expect(upi('player@paytm', '   ')).toEqual({ ok: false, errors: { upiName: 'Enter the name on the UPI account.' } });
    expect(upi('player@paytm', 'x'.repeat(101)).ok).toBe(false);
    expect(upi('player@paytm', 'John\u200bDoe').ok).toBe(false);
  });

  it('bank: 9–18 digits, IFSC AAAA0XXXXXX in either case (sent upper-case), a holder name', () => {
    expect(bank('123456789', 'hdfc0001234')).toEqual({
      ok: true,
      method: { type: 'bank', details: { accountNumber: '123456789', ifsc: 'HDFC0001234', accountHolderName: 'John Doe' } },
    });
    expect(bank('123456789012345678', 'SBIN0ABC123').ok).toBe(true);
    for (const [number, ifsc] of [
      ['12345678', 'HDFC0001234'],
      ['1234567890123456789', 'HDFC0001234'],
      ['12345678a', 'HDFC0001234'],
      ['123456789', 'HDFC1001234'],
      ['123456789', 'HDF00001234'],
      ['123456789', 'HDFC000123'],
      ['123456789', 'HDFC00012345'],
    ]) {
      expect(bank(number!, ifsc!).ok, `${number} ${ifsc}`).toBe(false);
    }
  });

  it('stripe: acct_ and at least 6 letters or digits', () => {
    expect(stripe('acct_1A2b3C').ok).toBe(true);
    for (const bad of ['acct_12345', 'acct-123456', 'ACCT_123456', 'acct_12345!', `acct_${'a'.repeat(251)}`]) {
      expect(stripe(bad).ok, bad).toBe(false);
    }
  });
});

describe('withdraw page', () => {
  const base = (extra: Record<string, (call: StubCall) => unknown> = {}) => ({
    'GET /api/auth/me': () => ok({ user: player }),
    'GET /api/config': () => ok(config),
    'GET /api/wallet': () => ok(wallet({ balance: 1000, available: 800, held: 200, withdrawable: 800 })),
    'GET /api/wallet/payout-requests': () =>
      ok(
        [
          payout({ _id: 'po_a', amount: 200, status: 'requested' }),
          payout({
            _id: 'po_b', amount: 300.5, status: 'paid',
            method: { type: 'bank', details: { accountNumber: 'XXXXX6789', ifsc: 'HDFC0001234', accountHolderName: 'Asha' } },
          }),
        ],
        page(1, 2, 10),
      ),
    ...extra,
  });

  it('lists my withdrawals with masked details and statuses', async () => {
    stubFetch(base() as never);
    renderRoute('/wallet/withdraw', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Withdraw', level: 1 })).toBeInTheDocument();
    const section = screen.getByRole('heading', { name: 'My withdrawals' }).closest('section') as HTMLElement;
    const table = await within(section).findByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Date', 'Amount', 'TDS', 'Net amount', 'Method', 'Status',
    ]);
    expect(within(table).getAllByTestId('payout-status').map((s) => s.textContent)).toEqual(['requested', 'paid']);
    expect(within(table).getByText('UPI pl****@paytm (Asha Player)')).toBeInTheDocument();
    expect(within(table).getByText('Bank XXXXX6789 · HDFC0001234 (Asha)')).toBeInTheDocument();
    expect(within(table).getAllByText('₹300.50')).toHaveLength(2);
    expect(screen.getByText('Minimum ₹100.00, maximum ₹50,000.00')).toBeInTheDocument();
  });

  it('checks each method as the server does before sending anything', async () => {
    const calls = stubFetch(base() as never);
    renderRoute('/wallet/withdraw', { signedIn: true });
    const group = await screen.findByRole('radiogroup', { name: 'Method' });
    expect(within(group).getByRole('radio', { name: 'UPI' })).toBeChecked();
    await user.type(screen.getByLabelText('Amount'), '500');
    await user.type(screen.getByLabelText('UPI ID'), 'not-an-upi');
    await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    expect(screen.getByLabelText('UPI ID')).toHaveAccessibleDescription(expect.stringContaining('Enter a UPI ID like name@bank'));
    expect(screen.getByLabelText('Name on the UPI account')).toHaveAccessibleDescription('Enter the name on the UPI account.');
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the highlighted fields.');

    await user.click(screen.getByRole('radio', { name: 'Bank account' }));
    await user.type(screen.getByLabelText('Account number'), '12345');
    await user.type(screen.getByLabelText('IFSC'), 'HDFC1001234');
    await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    expect(screen.getByLabelText('Account number')).toHaveAccessibleDescription('The account number must be 9 to 18 digits.');
    expect(screen.getByLabelText('IFSC')).toHaveAccessibleDescription(expect.stringContaining('4 letters, the digit 0'));
    expect(screen.getByLabelText('Account holder name')).toHaveAccessibleDescription('Enter the account holder name.');

    await user.click(screen.getByRole('radio', { name: 'Stripe' }));
    await user.type(screen.getByLabelText('Stripe account ID'), 'acct_1');
    await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    expect(screen.getByLabelText('Stripe account ID')).toHaveAccessibleDescription(expect.stringContaining('acct_'));

    await user.clear(screen.getByLabelText('Amount'));
    await user.type(screen.getByLabelText('Amount'), '900');
    expect(screen.getByLabelText('Amount')).toHaveAccessibleDescription(expect.stringContaining('You have ₹800.00 available.'));
    await user.clear(screen.getByLabelText('Amount'));
    await user.type(screen.getByLabelText('Amount'), '99');
    expect(screen.getByLabelText('Amount')).toHaveAccessibleDescription(expect.stringContaining('The minimum is ₹100.00.'));
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('requests a bank withdrawal once per action and shows the envelope message on refusal', async () => {
    const posts: StubCall[] = [];
    stubFetch(base({
      'POST /api/wallet/payout-request': (call) => {
        posts.push(call);
        if (posts.length === 1) return fail(409, 'Complete KYC before withdrawing', 'KYC_REQUIRED');
        return { status: 201, body: { success: true, message: 'ok', data: payout({ amount: 500 }) } };
      },
    }) as never);
    renderRoute('/wallet/withdraw', { signedIn: true });
    await user.type(await screen.findByLabelText('Amount'), '500');
    await user.click(screen.getByRole('radio', { name: 'Bank account' }));
    await user.type(screen.getByLabelText('Account number'), '123456789012');
    await user.type(screen.getByLabelText('IFSC'), 'hdfc0001234');
    await user.type(screen.getByLabelText('Account holder name'), ' Asha Player ');
    await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Complete KYC before withdrawing');
    await user.click(screen.getByRole('button', { name: 'Request withdrawal' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Withdrawal of ₹500.00 requested.');
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[0]?.body).toEqual({
      amount: 500,
      currency: 'INR',
      method: { type: 'bank', details: { accountNumber: '123456789012', ifsc: 'HDFC0001234', accountHolderName: 'Asha Player' } },
    });
    const key = posts[0]?.headers.get('Idempotency-Key');
    expect(key).toBeTruthy();
    expect(posts[1]?.headers.get('Idempotency-Key')).toBe(key);
    expect(screen.getByLabelText('Amount')).toHaveValue('');
  });

  describe('TDS estimate', () => {
    const taxed = (estimate: (call: StubCall) => unknown, extra: Record<string, (call: StubCall) => unknown> = {}) =>
      base({
        'GET /api/config': () => ok({ ...config, tdsRate: 30 }),
        'GET /api/wallet': () => ok(wallet({ balance: 2000, available: 2000, withdrawable: 1700, funds: { deposit: 300, winnings: 1700, bonus: 0 } })),
        'GET /api/wallet/tds-estimate': estimate,
        ...extra,
      });

    it('shows what is withheld and what arrives before the request is sent', async () => {
      const asked: StubCall[] = [];
      stubFetch(taxed((call) => {
        asked.push(call);
        return ok({ amount: 1200, currency: 'INR', tds: 60, netAmount: 1140, netWinnings: 200, financialYear: '2026-27', tdsRate: 30, withdrawable: 1700 });
      }) as never);
      renderRoute('/wallet/withdraw', { signedIn: true });
      expect(await screen.findByTestId('withdraw-available')).toHaveTextContent(/^₹1,700\.00$/);
      await user.type(screen.getByLabelText('Amount'), '1200');
      const estimate = await screen.findByTestId('tds-estimate');
      expect(estimate).toHaveTextContent('TDS withheld ₹60.00, you receive ₹1,140.00');
      expect(estimate).toHaveTextContent('net winnings ₹200.00 in 2026-27, TDS at 30%');
      expect(asked.at(-1)?.search.get('amount')).toBe('1200');
      expect(asked.at(-1)?.search.get('currency')).toBe('INR');
      expect(asked.every((call) => call.search.get('amount') === '1200')).toBe(true);
    });

    it('asks nothing for an invalid amount or one above what may be withdrawn', async () => {
      const asked: StubCall[] = [];
      stubFetch(taxed((call) => {
        asked.push(call);
        return ok({});
      }) as never);
      renderRoute('/wallet/withdraw', { signedIn: true });
      await screen.findByTestId('withdraw-available');
      await user.type(screen.getByLabelText('Amount'), '12.345');
      await user.clear(screen.getByLabelText('Amount'));
      await user.type(screen.getByLabelText('Amount'), '1700.01');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(asked).toHaveLength(0);
      expect(screen.queryByTestId('tds-estimate')).toBeNull();
    });

    it('shows the refusal of the estimate', async () => {
      stubFetch(taxed(() => fail(503, 'Wallet service unavailable', 'SERVICE_UNAVAILABLE')) as never);
      renderRoute('/wallet/withdraw', { signedIn: true });
      await user.type(await screen.findByLabelText('Amount'), '500');
      expect(await screen.findByRole('alert')).toHaveTextContent('Wallet service unavailable');
    });

    it('is not shown when no TDS applies (tdsRate 0)', async () => {
      const calls = stubFetch(base() as never);
      renderRoute('/wallet/withdraw', { signedIn: true });
      await user.type(await screen.findByLabelText('Amount'), '500');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(calls.some((call) => call.path === '/api/wallet/tds-estimate')).toBe(false);
      expect(screen.queryByTestId('tds-estimate')).toBeNull();
    });

    it('lists TDS and the net amount of each withdrawal', async () => {
      stubFetch(base({
        'GET /api/wallet/payout-requests': () =>
          ok([payout({ _id: 'po_t', amount: 1200, tds: 60, netAmount: 1140, netWinnings: 200 })], page(1, 1, 10)),
      }) as never);
      renderRoute('/wallet/withdraw', { signedIn: true });
      const section = (await screen.findByRole('heading', { name: 'My withdrawals' })).closest('section') as HTMLElement;
      const table = await within(section).findByRole('table');
      const cells = within(within(table).getAllByRole('row')[1]!).getAllByRole('cell').map((c) => c.textContent);
      expect(cells.slice(1, 4)).toEqual(['₹1,200.00', '₹60.00', '₹1,140.00']);
    });
  });
});
