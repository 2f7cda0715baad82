import type { RouteObject } from 'react-router';
import { WalletPage } from './WalletPage';

export const walletRoutes: RouteObject[] = [{ path: '/wallet', element: <WalletPage /> }];
