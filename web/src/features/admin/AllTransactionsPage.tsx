import { useCallback } from 'react';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { api, fetchClient } from '@/lib/api/client';
import {
  ExportCsvButton, filterQuery, PAGE_SIZE, Pager, TransactionFilters, TransactionsTable, useFilterParams,
  type PageFetcher,
} from '@/features/transactions';

/** /admin/transactions: every user's transactions, filtered by type, status and user, with CSV export of all of it. */
export function AllTransactionsPage() {
  const { filters, page, extra, update } = useFilterParams(['userId']);
  const userId = (extra.userId ?? '').trim();
  const { type, status } = filters;
  const scope = { ...filterQuery({ type, status }), ...(userId ? { userId } : {}) };
  const query = api.useQuery(
    'get',
    '/api/transactions/all',
    { params: { query: { ...scope, page, limit: PAGE_SIZE } } },
    { placeholderData: (previous) => previous },
  );

  const fetchPage: PageFetcher = useCallback(
    async (pageNumber, limit) => {
      const { data, error } = await fetchClient.GET('/api/transactions/all', {
        params: {
          query: { ...filterQuery({ type, status }), ...(userId ? { userId } : {}), page: pageNumber, limit },
        },
      });
      if (!data) throw error ?? new Error('No answer');
      return { data: data.data, pagination: data.pagination };
    },
    [type, status, userId],
  );

  return (
    <section aria-labelledby="all-transactions-heading">
      <h1 id="all-transactions-heading">All transactions</h1>
      <TransactionFilters value={filters} onChange={(next) => update({ ...next })}>
        <div className="field">
          <label htmlFor="tx-filter-user">User ID</label>
          <input
            id="tx-filter-user"
            value={extra.userId ?? ''}
            onChange={(event) => update({ userId: event.target.value })}
          />
        </div>
      </TransactionFilters>
      <div className="actions">
        <ExportCsvButton fetchPage={fetchPage} filename="winzone-all-transactions.csv" />
      </div>
      <ErrorAlert error={query.error} />
      {query.isPending ? (
        <Loading />
      ) : (
        query.data && (
          <>
            <TransactionsTable rows={query.data.data} caption="All transactions" showUser />
            <Pager pagination={query.data.pagination} onPage={(next) => update({ page: next })} />
          </>
        )
      )}
    </section>
  );
}
