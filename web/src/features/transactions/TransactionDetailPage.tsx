import { Link, useParams } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { formatDateTime } from '@/lib/dates';
import { formatMoney } from '@/lib/money';
import { useTransaction } from './api';
import { fundText } from './funds';
import { statusLabel, typeLabel } from './labels';

export function TransactionDetailPage() {
  const { id = '' } = useParams();
  const query = useTransaction(id);
  const tx = query.data?.data;
  const metadata = Object.entries(tx?.metadata ?? {});
  return (
    <section aria-labelledby="transaction-heading">
      <h1 id="transaction-heading">Transaction</h1>
      <ErrorAlert error={query.error} />
      {query.isPending && <Loading />}
      {tx && (
        <div className="card">
          <dl className="details">
            <dt>ID</dt>
            <dd>{tx._id}</dd>
            <dt>Date</dt>
            <dd>{formatDateTime(tx.createdAt)}</dd>
            <dt>Type</dt>
            <dd>{typeLabel(tx.type)}</dd>
            <dt>Fund</dt>
            <dd data-testid="transaction-fund">{fundText(tx) || '—'}</dd>
            <dt>Description</dt>
            <dd>{tx.description || '—'}</dd>
            <dt>Amount</dt>
            <dd data-testid="transaction-amount">{formatMoney(tx.amount, tx.currency)}</dd>
            <dt>Status</dt>
            <dd data-testid="transaction-status">{statusLabel(tx.status)}</dd>
            <dt>Balance after</dt>
            <dd>{tx.balanceAfter === null ? '—' : formatMoney(tx.balanceAfter, tx.currency)}</dd>
            <dt>Source</dt>
            <dd>{tx.source}</dd>
            {tx.userId && (
              <>
                <dt>User ID</dt>
                <dd>{tx.userId}</dd>
              </>
            )}
            {tx.idempotencyKey && (
              <>
                <dt>Idempotency key</dt>
                <dd>{tx.idempotencyKey}</dd>
              </>
            )}
            {metadata.map(([key, value]) => (
              <div key={key} style={{ display: 'contents' }}>
                <dt>{key}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      <p>
        <Link to="/wallet/transactions">Back to transactions</Link>
      </p>
    </section>
  );
}
