import createFetchClient, { type Middleware } from 'openapi-fetch';
import createQueryHooks from 'openapi-react-query';
import { getToken, setToken } from '@/lib/auth/token';
import type { paths } from './schema';

type UnauthorizedHandler = () => void;

let onUnauthorized: UnauthorizedHandler = () => window.location.assign('/login');

/** Called on any 401: the app sets it to clear its cache and navigate to /login. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

const bearer: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && request.headers.has('Authorization')) {
      setToken(null);
      onUnauthorized();
    }
    return response;
  },
};

export const fetchClient = createFetchClient<paths>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  fetch: (request: Request) => globalThis.fetch(request),
});
fetchClient.use(bearer);

/** Typed TanStack Query hooks over every REST path: `api.useQuery('get', '/api/wallet')`. */
export const api = createQueryHooks(fetchClient);

export type { paths };
