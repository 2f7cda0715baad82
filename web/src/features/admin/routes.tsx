import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { RequireRole } from '@/app/guards';
import { AllTransactionsPage } from './AllTransactionsPage';
import { AnalyticsPage } from './AnalyticsPage';
import { BooksPage } from './BooksPage';
import { PayoutQueuePage } from './PayoutQueuePage';

const adminOnly = (page: ReactNode) => <RequireRole roles={['admin']}>{page}</RequireRole>;

export const adminRoutes: RouteObject[] = [
  { path: '/admin/payouts', element: adminOnly(<PayoutQueuePage />) },
  { path: '/admin/transactions', element: adminOnly(<AllTransactionsPage />) },
  { path: '/admin/books', element: adminOnly(<BooksPage />) },
  { path: '/admin/analytics', element: adminOnly(<AnalyticsPage />) },
];
