import type { Role } from '@/lib/api/types';

export interface NavItem {
  to: string;
  label: string;
  /** Only these roles see the link; absent: every signed-in user. */
  roles?: Role[];
}

/** The main navigation (names fixed by the UI contract). Add a feature's link here. */
export const navItems: NavItem[] = [
  { to: '/wallet', label: 'Wallet' },
  { to: '/wallet/transactions', label: 'Transactions' },
  { to: '/wallet/topup', label: 'Top up' },
  { to: '/wallet/withdraw', label: 'Withdraw' },
  { to: '/wallet/statements', label: 'Statements' },
  { to: '/wallet/tax-statement', label: 'Tax statement' },
  { to: '/wallet/verification', label: 'Verification' },
  { to: '/wallet/limits', label: 'Limits & self-exclusion' },
  { to: '/competitions', label: 'Competitions' },
  { to: '/admin/payouts', label: 'Payout queue', roles: ['admin'] },
  { to: '/admin/kyc', label: 'KYC review', roles: ['admin'] },
  { to: '/admin/transactions', label: 'All transactions', roles: ['admin'] },
  { to: '/admin/books', label: 'Books', roles: ['admin'] },
  { to: '/admin/analytics', label: 'Analytics', roles: ['admin'] },
  { to: '/admin/tax/tds', label: 'TDS report', roles: ['admin'] },
];
