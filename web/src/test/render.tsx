import { render, type RenderResult } from '@testing-library/react';
import { RouterProvider, createMemoryRouter, type RouteObject } from 'react-router';
import { appRoutes } from '@/app/router';
import { AppProviders, createQueryClient } from '@/app/providers';
import { setUnauthorizedHandler } from '@/lib/api/client';
import type { User } from '@/lib/api/types';
import { setToken } from '@/lib/auth/token';

export const player: User = {
  _id: 'u_player_1',
  name: 'Asha Player',
  email: 'asha@example.com',
  role: 'player',
  createdAt: '2026-11-01T10:00:00Z',
  updatedAt: '2026-11-01T10:00:00Z',
};

export const admin: User = { ...player, _id: 'u_admin_1', name: 'Ada Admin', email: 'ada@example.com', role: 'admin' };

export const organizer: User = { ...player, _id: 'u_org_1', name: 'Omar Organizer', email: 'omar@example.com', role: 'organizer' };

export interface RouteRender extends RenderResult {
  router: ReturnType<typeof createMemoryRouter>;
}

/**
 * Renders the whole app (or `routes`) at `path` with a memory router and a fresh QueryClient. With `signedIn`,
 * a token is stored first (stub GET /api/auth/me to answer the user, e.g. `'GET /api/auth/me': () => ok({user})`).
 */
export function renderRoute(path: string, options: { routes?: RouteObject[]; signedIn?: boolean } = {}): RouteRender {
  if (options.signedIn) setToken('test-token');
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  const router = createMemoryRouter(options.routes ?? appRoutes, { initialEntries: [path] });
  setUnauthorizedHandler(() => {
    client.clear();
    void router.navigate('/login', { replace: true });
  });
  const result = render(
    <AppProviders client={client}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...result, router };
}
