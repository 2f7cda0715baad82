/** The REST API as the tests use it to set things up and to check what the pages did: plain JSON over
 * Playwright's request context, unwrapping the `{success, message, data}` envelope. */

import { expect, type APIRequestContext, type APIResponse } from '@playwright/test';

import { adminCredentials, type Credentials } from './env';

export type Role = 'player' | 'organizer';

export interface Account extends Credentials {
  name: string;
  role: Role | 'admin';
}

export interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
  error?: string;
  pagination?: { page: number; limit: number; total: number; pages: number };
}

let counter = 0;

/** A new, unused identity: the email is unique per run, process and call. */
export function freshAccount(role: Role, label: string = role): Account {
  counter += 1;
  const stamp = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return {
    name: `${label.charAt(0).toUpperCase()}${label.slice(1)} ${stamp}`,
    email: `${label}.${stamp}@winzone.test`,
    password: `pw-${stamp}-Secret!`,
    role,
  };
}

/** The one element of ``items`` (a fresh user has exactly one of the thing asked for). */
export function only<T>(items: readonly T[], what: string): T {
  expect(items, `exactly one ${what}`).toHaveLength(1);
  return items[0] as T;
}

async function envelope<T>(response: APIResponse, what: string): Promise<Envelope<T>> {
  const text = await response.text();
  let body: Envelope<T>;
  try {
    body = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${what}: HTTP ${response.status()} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return body;
}

async function ok<T>(response: APIResponse, what: string): Promise<Envelope<T>> {
  const body = await envelope<T>(response, what);
  expect(response.ok(), `${what}: HTTP ${response.status()} ${JSON.stringify(body)}`).toBe(true);
  expect(body.success, `${what}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

/** A bearer token for these credentials. */
export async function logIn(request: APIRequestContext, who: Credentials): Promise<string> {
  const response = await request.post('/api/auth/login', { data: { email: who.email, password: who.password } });
  const body = await ok<{ token: string }>(response, `log in ${who.email}`);
  return body.data.token;
}

export async function adminToken(request: APIRequestContext): Promise<string> {
  return logIn(request, adminCredentials());
}

/** Register through the API (for set-up that is not what a test is about); returns the new user's id. */
export async function registerByApi(request: APIRequestContext, account: Account): Promise<string> {
  const response = await request.post('/api/auth/register', {
    data: { name: account.name, email: account.email, password: account.password, role: account.role },
  });
  const body = await ok<{ user: { _id: string } }>(response, `register ${account.email}`);
  return body.data.user._id;
}

export class Api {
  /** The API as one signed-in user sees it. */
  constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
  ) {}

  static async as(request: APIRequestContext, who: Credentials): Promise<Api> {
    return new Api(request, await logIn(request, who));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  async get<T>(path: string): Promise<Envelope<T>> {
    return ok<T>(await this.request.get(path, { headers: this.headers() }), `GET ${path}`);
  }

  async post<T>(path: string, data: unknown, idempotencyKey?: string): Promise<Envelope<T>> {
    const headers = this.headers(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});
    return ok<T>(await this.request.post(path, { headers, data }), `POST ${path}`);
  }

  /** The HTTP status and error code of a call that is expected to be refused. */
  async refusal(method: 'GET' | 'PUT' | 'POST', path: string, data?: unknown): Promise<{ status: number; error?: string }> {
    const response = await this.request.fetch(path, { method, headers: this.headers(), data });
    const body = await envelope<unknown>(response, `${method} ${path}`);
    expect(body.success, `${method} ${path} was expected to be refused: ${JSON.stringify(body)}`).toBe(false);
    return { status: response.status(), error: body.error };
  }

  async wallet(): Promise<WalletView> {
    return (await this.get<WalletView>('/api/wallet')).data;
  }

  /** Every transaction of the signed-in user matching ``query`` (all pages). */
  async transactions(query: Record<string, string> = {}): Promise<Transaction[]> {
    const found: Transaction[] = [];
    for (let page = 1; ; page += 1) {
      const params = new URLSearchParams({ ...query, page: String(page), limit: '100' });
      const body = await this.get<Transaction[]>(`/api/wallet/transactions?${params.toString()}`);
      found.push(...body.data);
      if (!body.pagination || page >= body.pagination.pages) return found;
    }
  }

  async payoutRequests(): Promise<PayoutRequest[]> {
    return (await this.get<PayoutRequest[]>('/api/wallet/payout-requests?limit=100')).data;
  }

  async me(): Promise<{ _id: string; role: string }> {
    return (await this.get<{ user: { _id: string; role: string } }>('/api/auth/me')).data.user;
  }

  /** A paid ₹`amount` top-up the way the mock provider's page pays it (form post), verified once. */
  async topUp(amount: number): Promise<string> {
    const session = await this.post<{ sessionId: string; checkoutUrl: string }>('/api/wallet/topup', { amount });
    const ref = new URL(session.data.checkoutUrl).pathname.split('/').pop() ?? '';
    const paid = await this.request.post(`/checkout/mock/${ref}/pay`, { maxRedirects: 0, form: {} });
    expect(paid.status(), await paid.text()).toBe(303);
    const verified = await this.post<{ status: string }>('/api/wallet/topup/verify', { sessionId: session.data.sessionId });
    expect(verified.data.status).toBe('credited');
    return session.data.sessionId;
  }
}

export interface WalletView {
  balance: number;
  available: number;
  held: number;
  currency: string;
  totalEarnings: number;
}

export interface Transaction {
  _id: string;
  userId: string;
  type: string;
  amount: number;
  status: string;
  description: string;
}

export interface PayoutRequest {
  _id: string;
  userId: string;
  amount: number;
  status: string;
  method: { type: string; details: Record<string, string> };
}

/** The books of the whole stack, as the admin endpoint runs them: the wallet's audit and the cross-service audit. */
export async function expectBooksBalanced(request: APIRequestContext): Promise<void> {
  const token = await adminToken(request);
  const response = await request.get('/api/admin/audit', { headers: { Authorization: `Bearer ${token}` } });
  const body = await ok<{ ok: boolean; discrepancies: unknown[] }>(response, 'GET /api/admin/audit');
  expect(body.data.discrepancies, JSON.stringify(body.data)).toEqual([]);
  expect(body.data.ok, JSON.stringify(body.data)).toBe(true);
}
