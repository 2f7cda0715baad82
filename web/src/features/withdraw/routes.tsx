import type { RouteObject } from 'react-router';
import { WithdrawPage } from './WithdrawPage';

export const withdrawRoutes: RouteObject[] = [{ path: '/wallet/withdraw', element: <WithdrawPage /> }];
