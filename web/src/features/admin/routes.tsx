import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { RequireRole } from '@/app/guards';
import { AllTransactionsPage } from './AllTransactionsPage';
import { AnalyticsPage } from './AnalyticsPage';
import { BooksPage } from './BooksPage';
import { KycReviewPage } from './KycReviewPage';
import { PayoutQueuePage } from './PayoutQueuePage';
import { TdsReportPage } from './TdsReportPage';
import { UserProtectionPage } from './UserProtectionPage';

const adminOnly = (page: ReactNode) => <RequireRole roles={['admin']}>{page}</RequireRole>;

export const adminRoutes: RouteObject[] = [
  { path: '/admin/payouts', element: adminOnly(<PayoutQueuePage />) },
  { path: '/admin/kyc', element: adminOnly(<KycReviewPage />) },
  { path: '/admin/users/:userId', element: adminOnly(<UserProtectionPage />) },
  { path: '/admin/transactions', element: adminOnly(<AllTransactionsPage />) },
  { path: '/admin/books', element: adminOnly(<BooksPage />) },
  { path: '/admin/analytics', element: adminOnly(<AnalyticsPage />) },
  { path: '/admin/tax/tds', element: adminOnly(<TdsReportPage />) },
];
