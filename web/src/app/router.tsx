import { createBrowserRouter, type RouteObject } from 'react-router';
import { adminRoutes } from '@/features/admin/routes';
import { authRoutes } from '@/features/auth/routes';
import { competitionRoutes } from '@/features/competitions/routes';
import { protectionRoutes } from '@/features/protection/routes';
import { statementRoutes } from '@/features/statements/routes';
import { topupRoutes } from '@/features/topup/routes';
import { transactionRoutes } from '@/features/transactions/routes';
import { walletRoutes } from '@/features/wallet/routes';
import { withdrawRoutes } from '@/features/withdraw/routes';
import { HomeRedirect, RequireAuth } from './guards';
import { AppLayout, PublicLayout } from './layout';
import { NotFoundPage } from './NotFoundPage';

/**
 * Every feature exports `RouteObject[]` from `features/<feature>/routes.tsx`; add them to one of the lists
 * below (signed-in pages under `signedIn`, public ones under `publicRoutes`) and the nav link in `nav.ts`.
 */
const signedIn: RouteObject[] = [
  ...walletRoutes,
  ...transactionRoutes,
  ...topupRoutes,
  ...withdrawRoutes,
  ...statementRoutes,
  ...protectionRoutes,
  ...competitionRoutes,
  ...adminRoutes,
];

const publicRoutes: RouteObject[] = [...authRoutes];

export const appRoutes: RouteObject[] = [
  { path: '/', element: <HomeRedirect /> },
  { element: <PublicLayout />, children: publicRoutes },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [...signedIn, { path: '*', element: <NotFoundPage /> }],
  },
];

export function createAppRouter() {
  return createBrowserRouter(appRoutes);
}
