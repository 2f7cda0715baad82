import { TableWrap } from '@/components/TableWrap';
import { useState } from 'react';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Pager } from '@/features/transactions/Pager';
import { formatDateTime } from '@/lib/dates';
import { formatMoney } from '@/lib/money';
import { useMyPayouts } from './api';
import { describeMaskedMethod } from './methods';

const STATUS_TEXT: Record<string, string> = {
  requested: 'requested',
  approved: 'approved',
  paid: 'paid',
  failed: 'failed',
  rejected: 'rejected',
};

/** "My withdrawals": one row per payout request with masked details, status and its history. */
export function MyWithdrawals() {
  const [page, setPage] = useState(1);
  const query = useMyPayouts(page);
  return (
    <section aria-labelledby="my-withdrawals-heading">
      <h2 id="my-withdrawals-heading">My withdrawals</h2>
      <ErrorAlert error={query.error} />
      {query.isPending && <Loading />}
      {query.data && (
        <>
          <TableWrap label="Your payout requests">
            <table>
              <caption className="visually-hidden">Your payout requests</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col" className="amount">
                    Amount
                  </th>
                  <th scope="col" className="amount">
                    TDS
                  </th>
                  <th scope="col" className="amount">
                    Net amount
                  </th>
                  <th scope="col">Method</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {query.data.data.length === 0 && (
                  <tr>
                    <td colSpan={6} className="muted">
                      No withdrawals yet.
                    </td>
                  </tr>
                )}
                {query.data.data.map((payout) => (
                  <tr key={payout._id}>
                    <td>{formatDateTime(payout.createdAt)}</td>
                    <td className="amount">{formatMoney(payout.amount, payout.currency)}</td>
                    <td className="amount">{formatMoney(payout.tds, payout.currency)}</td>
                    <td className="amount" data-testid="payout-net-amount">
                      {formatMoney(payout.netAmount, payout.currency)}
                    </td>
                    <td>{describeMaskedMethod(payout.method)}</td>
                    <td>
                      <span data-testid="payout-status">{STATUS_TEXT[payout.status] ?? payout.status}</span>
                      {payout.failureReason && <div className="muted">{payout.failureReason}</div>}
                      {payout.history.length > 0 && (
                        <details>
                          <summary>History</summary>
                          <ol>
                            {payout.history.map((event, index) => (
                              <li key={index}>
                                {event.status} · {formatDateTime(event.at)}
                                {event.note ? ` · ${event.note}` : ''}
                              </li>
                            ))}
                          </ol>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <Pager pagination={query.data.pagination} onPage={setPage} />
        </>
      )}
    </section>
  );
}
