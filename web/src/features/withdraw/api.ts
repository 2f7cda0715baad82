import { api } from '@/lib/api/client';
import type { Currency } from '@/lib/api/types';

export const WITHDRAWALS_PAGE_SIZE = 10;

export function useRequestPayout() {
  return api.useMutation('post', '/api/wallet/payout-request');
}

export function useMyPayouts(page: number) {
  return api.useQuery(
    'get',
    '/api/wallet/payout-requests',
    { params: { query: { page, limit: WITHDRAWALS_PAGE_SIZE } } },
    { placeholderData: (previous) => previous },
  );
}

/** GET /api/wallet/tds-estimate: the TDS a withdrawal of `amount` (major units) would have withheld now. */
export function useTdsEstimate(amount: number | null, currency: Currency) {
  return api.useQuery(
    'get',
    '/api/wallet/tds-estimate',
    { params: { query: { amount: amount ?? 0, currency } } },
    { enabled: amount !== null, staleTime: 0 },
  );
}
