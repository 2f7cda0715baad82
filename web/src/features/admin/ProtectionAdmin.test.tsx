import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { clickTwiceAtOnce } from '@/test/clickTwice';
import { ok, stubFetch } from '@/test/fetchStub';
import { admin, renderRoute } from '@/test/render';
import { payout } from './fixtures';

const user = userEvent.setup({ delay: null });
const me = { 'GET /api/auth/me': () => ok({ user: admin }) };
const listPage = { pagination: { page: 1, limit: 20, total: 1, pages: 1 } };
const kyc = (extra: Record<string, unknown> = {}) => ({
  userId: 'u_player_1', status: 'pending', pan: 'XXXXXX234F', name: 'Asha Player', dateOfBirth: '1990-01-31',
  submittedAt: '2026-12-02T10:00:00Z', reviewedAt: null, reviewedBy: null, note: null, updatedAt: null, ...extra,
});

describe('KYC review', () => {
  it('lists pending by default; verify sends one PUT with the optional note', async () => {
    const calls = stubFetch({
      ...me,
      'GET /api/admin/kyc': () => ok([kyc()], listPage),
      'PUT /api/admin/kyc/:id/verify': () => ok(kyc({ status: 'verified' }), { message: 'KYC verified' }),
    });
    renderRoute('/admin/kyc', { signedIn: true });
    await user.click(await screen.findByRole('button', { name: 'Verify u_player_1' }));
    expect(calls.find((c) => c.path === '/api/admin/kyc')?.search.get('status')).toBe('pending');
    const dialog = screen.getByRole('dialog', { name: 'Verify KYC' });
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm verification' }));
    expect(await screen.findByRole('status')).toHaveTextContent('KYC verified');
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toBe('/api/admin/kyc/u_player_1/verify');
    expect(puts[0]?.body).toEqual({ note: null });
    expect(puts[0]?.headers.has('Idempotency-Key')).toBe(false);
  });

  it('reject needs a reason; the flagged filter is sent', async () => {
    const calls = stubFetch({
      ...me,
      'GET /api/admin/kyc': (call) => ok([kyc({ status: call.search.get('status') })], listPage),
      'PUT /api/admin/kyc/:id/reject': () => ok(kyc({ status: 'rejected' }), { message: 'KYC rejected' }),
    });
    renderRoute('/admin/kyc', { signedIn: true });
    await screen.findByRole('button', { name: 'Reject u_player_1' });
    await user.selectOptions(screen.getByLabelText('Status'), 'flagged');
    await waitFor(() => expect(calls.at(-1)?.search.get('status')).toBe('flagged'));
    await user.click(await screen.findByRole('button', { name: 'Reject u_player_1' }));
    const dialog = screen.getByRole('dialog', { name: 'Reject KYC' });
    await user.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect(within(dialog).getByText('Enter the reason for rejecting.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    await user.type(within(dialog).getByLabelText('Reason'), 'name differs');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm rejection' }));
    expect(await screen.findByRole('status')).toHaveTextContent('KYC rejected');
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ reason: 'name differs' });
  });
});

describe('payout queue: review statuses', () => {
  it('a held payout shows why and is released with a required note', async () => {
    const held = payout({
      status: 'held',
      reviewReasons: [{ rule: 'shared_destination', message: 'Destination used by another account', at: '2026-12-01T09:00:00Z' }],
    });
    const calls = stubFetch({
      ...me,
      'GET /api/admin/payouts': () => ok([held], listPage),
      'PUT /api/admin/payouts/:id/release': () => ok(payout(), { message: 'Payout released' }),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    expect(await screen.findByText(/Held: Destination used by another account/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve po_1' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Release po_1' }));
    const dialog = screen.getByRole('dialog', { name: 'Release payout' });
    await user.click(within(dialog).getByRole('button', { name: 'Confirm release' }));
    expect(within(dialog).getByText('Enter why this payout may continue.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Note'), 'checked with player');
    clickTwiceAtOnce(within(dialog).getByRole('button', { name: 'Confirm release' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Payout released');
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({ note: 'checked with player' });
  });

  it('a first approval says a second admin is needed; approvals are listed; user id links to the player', async () => {
    const calls = stubFetch({
      ...me,
      'GET /api/admin/payouts': () => ok([payout({ needsDualApproval: true })], listPage),
      'PUT /api/admin/payouts/:id/approve': () =>
        ok(payout({ status: 'awaiting_second_approval', approvals: [{ by: 'u_admin_1', at: '2026-12-01T10:00:00Z', note: null }] })),
    });
    renderRoute('/admin/payouts', { signedIn: true });
    expect(await screen.findByRole('link', { name: 'u_player_1' })).toHaveAttribute('href', '/admin/users/u_player_1');
    await user.click(screen.getByRole('button', { name: 'Approve po_1' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Confirm approval' }));
    expect(await screen.findByRole('status')).toHaveTextContent('First approval recorded — needs a second admin.');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });
});

describe('player protection view', () => {
  it('shows KYC, limits with pending changes, and self-exclusion', async () => {
    stubFetch({
      ...me,
      'GET /api/admin/users/:id/protection': () =>
        ok({
          userId: 'u_player_1',
          kyc: kyc({ status: 'verified', reviewedBy: 'u_admin_2' }),
          limits: {
            currency: 'INR', depositDaily: 100, depositMonthly: null, entryDaily: null,
            pending: [{ limit: 'depositDaily', value: 1000, effectiveAt: '2026-12-03T10:00:00Z' }],
          },
          selfExclusion: { selfExcluded: true, until: null, permanent: true, since: '2026-12-01T10:00:00Z' },
        }),
    });
    renderRoute('/admin/users/u_player_1', { signedIn: true });
    expect(await screen.findByTestId('kyc-status')).toHaveTextContent('Verified');
    expect(screen.getByTestId('kyc-pan')).toHaveTextContent('XXXXXX234F');
    expect(screen.getByTestId('limit-depositDaily')).toHaveTextContent('₹100.00');
    expect(screen.getByTestId('pending-limits')).toHaveTextContent('₹1,000.00');
    expect(screen.getByTestId('self-exclusion-state')).toHaveTextContent('Self-excluded permanently');
  });
});
