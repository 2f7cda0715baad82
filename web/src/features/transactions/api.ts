import { api } from '@/lib/api/client';
import type { TransactionStatus, TransactionType } from '@/lib/api/types';

export interface TransactionFilterValues {
  type: TransactionType | '';
  status: TransactionStatus | '';
}

export const PAGE_SIZE = 20;

export function filterQuery(filters: TransactionFilterValues) {
  return {
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.status ? { status: filters.status } : {}),
  };
}

/** One page of the caller's own transactions, newest first. */
export function useMyTransactions(filters: TransactionFilterValues, page: number) {
  return api.useQuery(
    'get',
    '/api/transactions/my',
    { params: { query: { ...filterQuery(filters), page, limit: PAGE_SIZE } } },
    { placeholderData: (previous) => previous },
  );
}

export function useTransaction(id: string) {
  return api.useQuery('get', '/api/transactions/{transaction_id}', {
    params: { path: { transaction_id: id } },
  });
}
