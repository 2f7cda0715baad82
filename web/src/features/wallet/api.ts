import { api } from '@/lib/api/client';
import type { Currency } from '@/lib/api/types';

export const HISTORY_SIZE = 100;

export function useWallet(currency: Currency = 'INR') {
  return api.useQuery('get', '/api/wallet', { params: { query: { currency } } });
}

/** The latest HISTORY_SIZE transactions (for the balance chart). */
export function useWalletHistory() {
  return api.useQuery('get', '/api/wallet/transactions', { params: { query: { page: 1, limit: HISTORY_SIZE } } });
}
