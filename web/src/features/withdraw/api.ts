import { api } from '@/lib/api/client';

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
