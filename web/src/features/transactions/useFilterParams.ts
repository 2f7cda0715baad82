import { useSearchParams } from 'react-router';
import type { TransactionStatus, TransactionType } from '@/lib/api/types';
import type { TransactionFilterValues } from './api';
import { TRANSACTION_STATUSES, TRANSACTION_TYPES } from './labels';

/** Filters and page kept in the address (?type=&status=&page=), so a refresh or a shared link keeps them. */
export function useFilterParams(extraKeys: string[] = []) {
  const [params, setParams] = useSearchParams();
  const rawType = params.get('type') ?? '';
  const rawStatus = params.get('status') ?? '';
  const filters: TransactionFilterValues = {
    type: (TRANSACTION_TYPES as string[]).includes(rawType) ? (rawType as TransactionType) : '',
    status: (TRANSACTION_STATUSES as string[]).includes(rawStatus) ? (rawStatus as TransactionStatus) : '',
  };
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const extra = Object.fromEntries(extraKeys.map((key) => [key, params.get(key) ?? '']));

  function update(next: Partial<TransactionFilterValues & { page: number }> & Record<string, string | number>) {
    const merged: Record<string, string> = {
      type: filters.type,
      status: filters.status,
      ...extra,
      page: String(page),
      ...Object.fromEntries(Object.entries(next).map(([key, value]) => [key, String(value)])),
    };
    if (!('page' in next)) merged.page = '1';
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(merged)) {
      if (value && !(key === 'page' && value === '1')) search.set(key, value);
    }
    setParams(search, { replace: true });
  }

  return { filters, page, extra, update };
}
