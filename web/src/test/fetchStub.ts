import { vi } from 'vitest';

export interface StubCall {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Reply = Response | { status?: number; body: unknown; headers?: Record<string, string> };
type Handler = (call: StubCall, params: Record<string, string>) => Reply | Promise<Reply>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function ok(data: unknown, extra: Record<string, unknown> = {}): Response {
  return json({ success: true, message: 'OK', data, ...extra });
}

export function fail(status: number, message: string, error = 'BAD_REQUEST'): Response {
  return json({ success: false, message, error }, status);
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const part = want[i] ?? '';
    const value = got[i] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/**
 * Replaces `globalThis.fetch` (the network boundary) with handlers keyed "METHOD /path/:param".
 * Unmatched requests fail the test with a 599 reply naming them. Returns the calls made, in order.
 */
export function stubFetch(handlers: Record<string, Handler>): StubCall[] {
  const calls: StubCall[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const call: StubCall = {
      method: request.method,
      path: url.pathname,
      search: url.searchParams,
      headers: request.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    calls.push(call);
    for (const [key, handler] of Object.entries(handlers)) {
      const [method, pattern = ''] = key.split(' ');
      if (method !== call.method) continue;
      const params = matchPath(pattern, call.path);
      if (!params) continue;
      const reply = await handler(call, params);
      if (reply instanceof Response) return reply;
      return new Response(JSON.stringify(reply.body), {
        status: reply.status ?? 200,
        headers: { 'Content-Type': 'application/json', ...reply.headers },
      });
    }
    return json({ success: false, message: `No stub for ${call.method} ${call.path}`, error: 'NO_STUB' }, 599);
  });
  vi.stubGlobal('fetch', fetchStub);
  return calls;
}
