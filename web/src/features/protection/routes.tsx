import type { RouteObject } from 'react-router';
import { KycPage } from './KycPage';
import { LimitsPage } from './LimitsPage';

export const protectionRoutes: RouteObject[] = [
  { path: '/wallet/verification', element: <KycPage /> },
  { path: '/wallet/limits', element: <LimitsPage /> },
];
