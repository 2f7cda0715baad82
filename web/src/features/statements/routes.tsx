import type { RouteObject } from 'react-router';
import { StatementPage } from './StatementPage';
import { TaxStatementPage } from './TaxStatementPage';

export const statementRoutes: RouteObject[] = [
  { path: '/wallet/statements', element: <StatementPage /> },
  { path: '/wallet/tax-statement', element: <TaxStatementPage /> },
];
