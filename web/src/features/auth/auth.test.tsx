import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { getToken } from '@/lib/auth/token';
import { fail, ok, stubFetch } from '@/test/fetchStub';
import { admin, player, renderRoute } from '@/test/render';

const user = userEvent.setup({ delay: null });

const emptyWallet = {
  balance: 0, available: 0, held: 0, currency: 'INR', totalEarnings: 0, receivable: 0, restricted: false,
  funds: { deposit: 0, winnings: 0, bonus: 0 }, withdrawable: 0, bonusGrants: [], recentTransactions: [],
};

describe('sign in', () => {
  it('sends email and password, stores the token and lands on the wallet', async () => {
    const calls = stubFetch({
      'POST /api/auth/login': () => ok({ token: 'jwt-1', user: player }),
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () => ok(emptyWallet),
      'GET /api/wallet/transactions': () => ok([], { pagination: { page: 1, limit: 100, total: 0, pages: 0 } }),
    });
    const { router } = renderRoute('/login');
    await user.type(screen.getByLabelText('Email'), 'asha@example.com');
    await user.type(screen.getByLabelText('Password'), 'secret-pass');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/wallet'));
    expect(getToken()).toBe('jwt-1');
    expect(calls[0]?.body).toEqual({ email: 'asha@example.com', password: 'secret-pass' });
    expect(await screen.findByTestId('current-user-id')).toHaveTextContent('u_player_1');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Payout queue' })).not.toBeInTheDocument();
  });

  it('sends an admin to the payout queue with the admin links', async () => {
    stubFetch({
      'POST /api/auth/login': () => ok({ token: 'jwt-a', user: admin }),
      'GET /api/auth/me': () => ok({ user: admin }),
    });
    const { router } = renderRoute('/login');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/payouts'));
    expect(await screen.findByRole('link', { name: 'Payout queue' })).toBeInTheDocument();
  });

  it('shows the envelope message in an alert and keeps no token', async () => {
    stubFetch({ 'POST /api/auth/login': () => fail(401, 'Invalid email or password', 'INVALID_CREDENTIALS') });
    renderRoute('/login');
    await user.type(screen.getByLabelText('Email'), 'asha@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password');
    expect(getToken()).toBeNull();
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });
});

describe('register', () => {
  it('creates an organizer account, signs in with the same credentials and lands on /wallet', async () => {
    const organizer = { ...player, role: 'organizer' as const };
    const calls = stubFetch({
      'POST /api/auth/register': () => ({ status: 201, body: { success: true, message: 'Registered', data: { user: organizer } } }),
      'POST /api/auth/login': () => ok({ token: 'jwt-o', user: organizer }),
      'GET /api/auth/me': () => ok({ user: organizer }),
      'GET /api/wallet': () => ok(emptyWallet),
      'GET /api/wallet/transactions': () => ok([], { pagination: { page: 1, limit: 100, total: 0, pages: 0 } }),
    });
    const { router } = renderRoute('/register');
    expect(screen.getByRole('heading', { name: 'Create an account' })).toBeInTheDocument();
    const group = screen.getByRole('radiogroup', { name: 'Account type' });
    expect(group).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Player' })).toBeChecked();
    await user.type(screen.getByLabelText('Name'), 'Omar');
    await user.type(screen.getByLabelText('Email'), 'omar@example.com');
    await user.type(screen.getByLabelText('Password'), 'long-password');
    await user.click(screen.getByRole('radio', { name: 'Organizer' }));
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/wallet'));
    expect(calls.find((c) => c.path === '/api/auth/register')?.body).toEqual({
      name: 'Omar', email: 'omar@example.com', password: 'long-password', role: 'organizer',
    });
    expect(calls.find((c) => c.path === '/api/auth/login')?.body).toEqual({
      email: 'omar@example.com', password: 'long-password',
    });
    expect(getToken()).toBe('jwt-o');
  });

  it('shows a refused registration in an alert', async () => {
    stubFetch({ 'POST /api/auth/register': () => fail(400, 'Email already registered', 'EMAIL_TAKEN') });
    renderRoute('/register');
    await user.type(screen.getByLabelText('Name'), 'A');
    await user.type(screen.getByLabelText('Email'), 'a@example.com');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Email already registered');
  });
});

describe('session', () => {
  it('sends the bearer token, and a 401 clears it and returns to /login', async () => {
    const calls = stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () => fail(401, 'Token expired', 'UNAUTHORIZED'),
      'GET /api/wallet/transactions': () => fail(401, 'Token expired', 'UNAUTHORIZED'),
    });
    const { router } = renderRoute('/wallet', { signedIn: true });
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(getToken()).toBeNull();
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(calls.find((c) => c.path === '/api/wallet')?.headers.get('Authorization')).toBe('Bearer test-token');
  });

  it('sends a visitor without a token from / and from signed-in pages to /login', async () => {
    const calls = stubFetch({});
    const { router } = renderRoute('/wallet/withdraw');
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(calls).toHaveLength(0);
  });

  it('Sign out forgets the token', async () => {
    stubFetch({
      'GET /api/auth/me': () => ok({ user: player }),
      'GET /api/wallet': () => ok(emptyWallet),
      'GET /api/wallet/transactions': () => ok([], { pagination: { page: 1, limit: 100, total: 0, pages: 0 } }),
    });
    const { router } = renderRoute('/', { signedIn: true });
    await waitFor(() => expect(router.state.location.pathname).toBe('/wallet'));
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(getToken()).toBeNull();
  });
});
