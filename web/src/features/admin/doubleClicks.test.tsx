import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { clickTwiceAtOnce } from '@/test/clickTwice';
import { fail, ok, stubFetch } from '@/test/fetchStub';
import { admin, renderRoute } from '@/test/render';
import { payout } from './fixtures';

const user = userEvent.setup({ delay: null });
const listPage = { pagination: { page: 1, limit: 20, total: 1, pages: 1 } };

function queueStubs(extra: Parameters<typeof stubFetch>[0]) {
  return stubFetch({
    'GET /api/auth/me': () => ok({ user: admin }),
    'GET /api/admin/payouts': () => ok([payout({ _id: 'po_7' })], listPage),
    ...extra,
  });
}

describe('payout decisions clicked twice in one tick', () => {
  it('send one approval, and the dialog closes with no error', async () => {
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/approve': () =>
        ({ body: { success: true, message: 'Payout approved and paid', data: payout({ _id: 'po_7', status: 'paid' }) } }),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Approve po_7' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve payout' });
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    expect(await screen.findByText('Payout approved and paid')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual(['/api/admin/payouts/po_7/approve']);
  });

  it('send one rejection', async () => {
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/reject': () =>
        ({ body: { success: true, message: 'Payout rejected and funds released', data: payout({ status: 'rejected' }) } }),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Reject po_7' }));
    const dialog = screen.getByRole('dialog', { name: 'Reject payout' });
    await user.type(within(dialog).getByLabelText('Reason'), 'Name does not match');
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect(await screen.findByText('Payout rejected and funds released')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual(['/api/admin/payouts/po_7/reject']);
  });

  it('let the admin try again after a refusal, once per action and with the same key', async () => {
    let attempt = 0;
    const calls = queueStubs({
      'PUT /api/admin/payouts/:id/approve': () => {
        attempt += 1;
        return attempt === 1
          ? fail(503, 'The payout service is unavailable', 'SERVICE_UNAVAILABLE')
          : ok(payout({ _id: 'po_7', status: 'paid' }));
      },
    });
    renderRoute('/admin/payouts', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Approve po_7' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve payout' });
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The payout service is unavailable');
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Confirm approval' })).toBeEnabled());
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm approval' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[1]?.headers.get('Idempotency-Key')).toBe(puts[0]?.headers.get('Idempotency-Key'));
  });
});
