import type { RouteObject } from 'react-router';
import { TopUpCancelPage } from './TopUpCancelPage';
import { TopUpPage } from './TopUpPage';
import { TopUpSuccessPage } from './TopUpSuccessPage';

export const topupRoutes: RouteObject[] = [
  { path: '/wallet/topup', element: <TopUpPage /> },
  { path: '/wallet/topup/success', element: <TopUpSuccessPage /> },
  { path: '/wallet/topup/cancel', element: <TopUpCancelPage /> },
];
