import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { clickTwiceAtOnce } from '@/test/clickTwice';
import { fail, ok, stubFetch, type StubCall } from '@/test/fetchStub';
import { config, wallet } from '@/test/fixtures';
import { player, renderRoute } from '@/test/render';
import { checkKyc } from './KycPage';
import { checkLimits } from './LimitsPage';

const user = userEvent.setup({ delay: null });
const me = { 'GET /api/auth/me': () => ok({ user: player }) };
const none = { userId: 'u_player_1', status: 'none', pan: null, name: null, dateOfBirth: null, submittedAt: null,
  reviewedAt: null, reviewedBy: null, note: null, updatedAt: null };
const limits = (extra: Record<string, unknown> = {}) => ({
  currency: 'INR', depositDaily: 500, depositMonthly: null, entryDaily: null, pending: [], ...extra,
});
const notExcluded = { selfExcluded: false, until: null, permanent: false, since: null };

describe('KYC rules', () => {
  it('PAN AAAAA9999A, a 1–100 character name, a date of birth', () => {
    expect(checkKyc({ pan: 'ABCDE1234F', name: ' Asha ', dateOfBirth: '1990-01-31' })).toEqual({});
    for (const pan of ['', 'ABCDE1234', 'abcde1234f', 'ABCD11234F', 'ABCDE12345', 'ABCDE1234FF']) {
      expect(checkKyc({ pan, name: 'A', dateOfBirth: '1990-01-31' }).pan, pan).toBeDefined();
    }
    expect(checkKyc({ pan: 'ABCDE1234F', name: '  ', dateOfBirth: '1990-01-31' }).name).toBeDefined();
    expect(checkKyc({ pan: 'ABCDE1234F', name: 'x'.repeat(101), dateOfBirth: '1990-01-31' }).name).toBeDefined();
    expect(checkKyc({ pan: 'ABCDE1234F', name: 'A', dateOfBirth: '' }).dateOfBirth).toBeDefined();
  });
});

describe('verification page', () => {
  it('upper-cases the PAN as typed, refuses bad input without a request, then submits once', async () => {
    let record: Record<string, unknown> = none;
    const calls = stubFetch({
      ...me,
      'GET /api/kyc': () => ok(record),
      'POST /api/kyc': () => {
        record = { ...none, status: 'pending', pan: 'XXXXXX234F', name: 'Asha Player', submittedAt: '2026-12-02T10:00:00Z' };
        return { status: 201, body: { success: true, message: 'Submitted', data: record } };
      },
    });
    renderRoute('/wallet/verification', { signedIn: true });
    expect(await screen.findByTestId('kyc-status')).toHaveTextContent('Not submitted');
    const pan = screen.getByLabelText('PAN');
    await user.type(pan, 'abcde 1234f');
    expect(pan).toHaveValue('ABCDE1234F');
    await user.click(screen.getByRole('button', { name: 'Submit for verification' }));
    expect(screen.getByText('Enter your name as on your PAN (up to 100 characters).')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.type(screen.getByLabelText('Name as on PAN'), 'Asha Player');
    await user.type(screen.getByLabelText('Date of birth'), '1990-01-31');
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Submit for verification' }));
    expect(await screen.findByText('Pending review')).toBeInTheDocument();
    expect(screen.getByTestId('kyc-pan')).toHaveTextContent('XXXXXX234F');
    expect(screen.queryByLabelText('PAN')).not.toBeInTheDocument();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ pan: 'ABCDE1234F', name: 'Asha Player', dateOfBirth: '1990-01-31' });
    expect(document.body.textContent).not.toContain('ABCDE1234F');
  });

  it('shows a rejection with its note, and the form again', async () => {
    stubFetch({ ...me, 'GET /api/kyc': () => ok({ ...none, status: 'rejected', pan: 'XXXXXX234F', note: 'blurry' }) });
    renderRoute('/wallet/verification', { signedIn: true });
    expect(await screen.findByText('Rejected')).toBeInTheDocument();
    expect(screen.getByText(/Note: blurry/)).toBeInTheDocument();
    expect(screen.getByLabelText('PAN')).toBeInTheDocument();
  });

  it('no form while pending or verified', async () => {
    stubFetch({ ...me, 'GET /api/kyc': () => ok({ ...none, status: 'verified', pan: 'XXXXXX234F' }) });
    renderRoute('/wallet/verification', { signedIn: true });
    expect(await screen.findByText('Verified')).toBeInTheDocument();
    expect(screen.queryByLabelText('PAN')).not.toBeInTheDocument();
  });
});

describe('limits rules', () => {
  it('empty removes (null), amounts are exact decimals, bad text is refused', () => {
    expect(checkLimits({ depositDaily: '100.5', depositMonthly: '', entryDaily: ' 20 ' }, 'INR')).toEqual({
      ok: true,
      body: { depositDaily: 100.5, depositMonthly: null, entryDaily: 20 },
    });
    for (const bad of ['abc', '-5', '0', '1.234', 'NaN', '1e3']) {
      const check = checkLimits({ depositDaily: bad, depositMonthly: '', entryDaily: '' }, 'INR');
      expect(check.ok, bad).toBe(false);
    }
  });
});

describe('limits & self-exclusion page', () => {
  const stubs = (extra: Parameters<typeof stubFetch>[0] = {}) =>
    stubFetch({
      ...me,
      'GET /api/wallet/limits': () => ok(limits()),
      'GET /api/wallet/self-exclusion': () => ok(notExcluded),
      ...extra,
    });

  it('shows the limits, says raises wait 24 h, sends null for an emptied field and shows the pending change', async () => {
    let current = limits();
    const calls = stubs({
      'GET /api/wallet/limits': () => ok(current),
      'PUT /api/wallet/limits': () => {
        current = limits({ pending: [{ limit: 'depositDaily', value: null, effectiveAt: '2026-12-03T10:00:00Z' }] });
        return ok(current);
      },
    });
    renderRoute('/wallet/limits', { signedIn: true });
    expect(await screen.findByTestId('limit-depositDaily')).toHaveTextContent('₹500.00');
    expect(screen.getByTestId('limit-entryDaily')).toHaveTextContent('No limit');
    expect(screen.getByText(/Raising or removing a limit waits 24 hours/)).toBeInTheDocument();
    const field = screen.getByLabelText('Deposit limit per day (INR)');
    expect(field).toHaveValue('500.00');
    await user.clear(field);
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    const pending = await screen.findByTestId('pending-limits');
    expect(pending).toHaveTextContent(/Deposit limit per day: removed from/);
    expect(screen.getByRole('status')).toHaveTextContent('Some changes wait 24 hours');
    const put = calls.find((c: StubCall) => c.method === 'PUT');
    expect(put?.body).toEqual({ currency: 'INR', depositDaily: null, depositMonthly: null, entryDaily: null });
  });

  it('refuses a bad amount without a request', async () => {
    const calls = stubs();
    renderRoute('/wallet/limits', { signedIn: true });
    await user.type(await screen.findByLabelText('Entry-fee limit per day (INR)'), 'lots');
    await user.click(screen.getByRole('button', { name: 'Save limits' }));
    expect(screen.getByLabelText('Entry-fee limit per day (INR)')).toHaveAttribute('aria-invalid', 'true');
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('self-exclusion needs a confirmation ("cannot be undone"), sends one POST, then shows the state', async () => {
    let state: Record<string, unknown> = notExcluded;
    const calls = stubs({
      'GET /api/wallet/self-exclusion': () => ok(state),
      'POST /api/wallet/self-exclusion': () => {
        state = { selfExcluded: true, until: '2027-03-02T10:00:00Z', permanent: false, since: '2026-12-02T10:00:00Z' };
        return ok(state);
      },
    });
    renderRoute('/wallet/limits', { signedIn: true });
    expect(await screen.findByTestId('self-exclusion-state')).toHaveTextContent('Not self-excluded.');
    await user.selectOptions(screen.getByLabelText('Exclude me'), '90');
    await user.click(screen.getByRole('button', { name: 'Self-exclude…' }));
    const group = screen.getByRole('group', { name: 'Confirm self-exclusion' });
    expect(group).toHaveTextContent('cannot be undone');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.click(within(group).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Confirm self-exclusion' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Self-exclude…' }));
    clickTwiceAtOnce(screen.getByRole('button', { name: 'Yes, exclude me for 90 days' }));
    await waitFor(() => expect(screen.getByTestId('self-exclusion-state')).toHaveTextContent(/Self-excluded until/));
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toEqual({ days: 90 });
  });

  it('permanent sends {permanent: true}; once permanent there is nothing to choose', async () => {
    let state: Record<string, unknown> = notExcluded;
    const calls = stubs({
      'GET /api/wallet/self-exclusion': () => ok(state),
      'POST /api/wallet/self-exclusion': () => {
        state = { selfExcluded: true, until: null, permanent: true, since: '2026-12-02T10:00:00Z' };
        return ok(state);
      },
    });
    renderRoute('/wallet/limits', { signedIn: true });
    await user.selectOptions(await screen.findByLabelText('Exclude me'), 'permanent');
    await user.click(screen.getByRole('button', { name: 'Self-exclude…' }));
    await user.click(screen.getByRole('button', { name: 'Yes, exclude me permanently' }));
    expect(await screen.findByText(/Self-excluded permanently/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Exclude me')).not.toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ permanent: true });
  });
});

describe('refusals on the money forms', () => {
  it('a top-up refused SELF_EXCLUDED shows the message and a link to the self-exclusion page', async () => {
    stubFetch({
      ...me,
      'GET /api/config': () => ok(config),
      'GET /api/wallet': () => ok(wallet()),
      'POST /api/wallet/topup': () => fail(409, 'You are self-excluded until 2027-01-01.', 'SELF_EXCLUDED'),
    });
    renderRoute('/wallet/topup', { signedIn: true });
    await user.type(await screen.findByLabelText(/Amount/), '200');
    await user.click(screen.getByRole('button', { name: 'Continue to checkout' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('You are self-excluded until 2027-01-01.');
    expect(screen.getByRole('link', { name: 'See your self-exclusion' })).toHaveAttribute('href', '/wallet/limits');
  });
});
