import { useCallback } from 'react';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { fetchClient } from '@/lib/api/client';
import { filterQuery, useMyTransactions } from './api';
import type { PageFetcher } from './csv';
import { ExportCsvButton } from './ExportCsvButton';
import { Pager } from './Pager';
import { TransactionFilters } from './TransactionFilters';
import { TransactionsTable } from './TransactionsTable';
import { useFilterParams } from './useFilterParams';

export function TransactionsPage() {
  const { filters, page, update } = useFilterParams();
  const query = useMyTransactions(filters, page);
  const { type, status } = filters;

  const fetchPage: PageFetcher = useCallback(
    async (pageNumber, limit) => {
      const { data, error } = await fetchClient.GET('/api/transactions/my', {
        params: { query: { ...filterQuery({ type, status }), page: pageNumber, limit } },
      });
      if (!data) throw error ?? new Error('No answer');
      return { data: data.data, pagination: data.pagination };
    },
    [type, status],
  );

  return (
    <section aria-labelledby="transactions-heading">
      <h1 id="transactions-heading">Transactions</h1>
      <TransactionFilters value={filters} onChange={(next) => update({ ...next })} />
      <div className="actions">
        <ExportCsvButton fetchPage={fetchPage} filename="winzone-transactions.csv" />
      </div>
      <ErrorAlert error={query.error} />
      {query.isPending ? (
        <Loading />
      ) : (
        query.data && (
          <>
            <TransactionsTable rows={query.data.data} caption="Your transactions" />
            <Pager pagination={query.data.pagination} onPage={(next) => update({ page: next })} />
          </>
        )
      )}
    </section>
  );
}
