import type { RouteObject } from 'react-router';
import { TransactionDetailPage } from './TransactionDetailPage';
import { TransactionsPage } from './TransactionsPage';

export const transactionRoutes: RouteObject[] = [
  { path: '/wallet/transactions', element: <TransactionsPage /> },
  { path: '/wallet/transactions/:id', element: <TransactionDetailPage /> },
];
