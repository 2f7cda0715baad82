import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fail, ok, stubFetch } from '@/test/fetchStub';
import { admin, renderRoute } from '@/test/render';
import { payout } from './fixtures';

const user = userEvent.setup({ delay: null });
const listPage = { pagination: { page: 1, limit: 20, total: 2, pages: 1 } };

function queueStubs(extra: Parameters<typeof stubFetch>[0] = {}) {
  return stubFetch({
    'GET /api/auth/me': () => ok({ user: admin }),
    'GET /api/admin/payouts': () =>
      ok([payout({ tds: 60, netAmount: 1440.25, netWinnings: 200 }), payout({ _id: 'po_2', amount: 99.5 })], listPage),
    ...extra,
  });
}

describe('payout queue', () => {
  it('lists requested payouts by default, with masked methods, status and history', async () => {
    const calls = queueStubs();
    renderRoute('/admin/payouts', { signedIn: true });
    expect(await screen.findByRole('heading', { name: 'Payout queue' })).toBeInTheDocument();
    expect(screen.getByLabelText('Status')).toHaveValue('requested');
    await screen.findByRole('button', { name: 'Approve po_1' });
    expect(calls.find((c) => c.path === '/api/admin/payouts')?.search.get('status')).toBe('requested');
    expect(screen.getAllByTestId('payout-status').map((cell) => cell.textContent)).toEqual(['requested', 'requested']);
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Date', 'Payout', 'User ID', 'Amount', 'TDS', 'Net amount', 'Method', 'Status', 'Actions',
    ]);
    const [first, second] = within(table).getAllByRole('row').slice(1);
    expect(within(first!).getAllByRole('cell').slice(3, 6).map((c) => c.textContent)).toEqual(['₹1,500.25', '₹60.00', '₹1,440.25']);
    expect(within(second!).getAllByRole('cell').slice(3, 6).map((c) => c.textContent)).toEqual(['₹99.50', '₹0.00', '₹99.50']);
    expect(screen.getAllByText('upi: as***@paytm, Asha P')).toHaveLength(2);
    expect(screen.getAllByText('History')).toHaveLength(2);

    await user.selectOptions(screen.getByLabelText('Status'), '');
    await user.type(screen.getByLabelText('User ID'), 'u9');
    await waitFor(() => {
      const last = calls.filter((c) => c.path === '/api/admin/payouts').at(-1);
      expect(last?.search.get('userId')).toBe('u9');
      expect(last?.search.has('status')).toBe(false);
    });
  });

  it('approves with a note in a dialog, sending an Idempotency-Key', async () => {
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/approve': () =>
        ({ body: { success: true, message: 'Payout approved and paid', data: payout({ status: 'paid' }) } }),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Approve po_1' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve payout' });
    expect(within(dialog).getByText('₹1,500.25 to u_player_1 (po_1)')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Note')).toHaveFocus();
    await user.type(within(dialog).getByLabelText('Note'), 'KYC checked');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    expect(await screen.findByText('Payout approved and paid')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const approve = calls.find((c) => c.method === 'PUT');
    expect(approve?.path).toBe('/api/admin/payouts/po_1/approve');
    expect(approve?.body).toEqual({ note: 'KYC checked' });
    expect(approve?.headers.get('Idempotency-Key')).toMatch(/^web-/);
    expect(calls.filter((c) => c.path === '/api/admin/payouts').length).toBeGreaterThan(1);
  });

  it('keeps the dialog open with the envelope message when approval is refused, and retries with the same key', async () => {
    let attempt = 0;
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/approve': () => {
        attempt += 1;
        return attempt === 1
          ? fail(409, 'Payout is rejected and cannot be approved', 'INVALID_PAYOUT_STATE')
          : ok(payout({ status: 'paid' }));
      },
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Approve po_2' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve payout' });
    await user.click(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Payout is rejected and cannot be approved');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts.map((c) => c.path)).toEqual(['/api/admin/payouts/po_2/approve', '/api/admin/payouts/po_2/approve']);
    expect(puts[0]?.body).toEqual({ note: null });
    expect(puts[1]?.headers.get('Idempotency-Key')).toBe(puts[0]?.headers.get('Idempotency-Key'));
  });

  it('requires a reason to reject, then rejects', async () => {
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/reject': () =>
        ({ body: { success: true, message: 'Payout rejected and funds released', data: payout({ status: 'rejected' }) } }),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Reject po_1' }));
    const dialog = screen.getByRole('dialog', { name: 'Reject payout' });
    await user.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Enter the reason for rejecting.');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Reason'), 'Name does not match');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect(await screen.findByText('Payout rejected and funds released')).toBeInTheDocument();
    const reject = calls.find((c) => c.method === 'PUT');
    expect(reject?.path).toBe('/api/admin/payouts/po_1/reject');
    expect(reject?.body).toEqual({ reason: 'Name does not match' });
    expect(reject?.headers.get('Idempotency-Key')).toMatch(/^web-/);
  });

  it('closes a dialog with Escape or Cancel without calling the server', async () => {
    const calls = queueStubs();
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Reject po_1' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Approve po_1' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
  });

  it('offers no Approve/Reject on payouts that are already decided', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: admin }),
      'GET /api/admin/payouts': () => ok([payout({ status: 'paid' })], listPage),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    expect(await screen.findByTestId('payout-status')).toHaveTextContent('paid');
    expect(screen.queryByRole('button', { name: 'Approve po_1' })).not.toBeInTheDocument();
  });
});
