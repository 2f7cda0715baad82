import { useState } from 'react';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import type { PayoutRequest } from '@/lib/api/types';
import { PAYOUT_STATUSES, useAdminPayouts, type PayoutStatus } from './api';
import { formatDateTime } from '@/lib/dates';
import { ApproveDialog, RejectDialog } from './PayoutDecisionDialogs';

type Decision = { kind: 'approve' | 'reject'; payout: PayoutRequest } | null;

function methodText(payout: PayoutRequest): string {
  const details = Object.values(payout.method.details).join(', ');
  return details ? `${payout.method.type}: ${details}` : payout.method.type;
}

function History({ payout }: { payout: PayoutRequest }) {
  return (
    <details>
      <summary>History</summary>
      <ol className="history">
        {payout.history.map((event, index) => (
          <li key={index}>
            {formatDateTime(event.at)}: {event.status} by {event.by}
            {event.note ? ` (${event.note})` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** /admin/payouts: payout requests by status and user, each approved (with a note) or rejected (with a reason). */
export function PayoutQueuePage() {
  const [status, setStatus] = useState<PayoutStatus | ''>('requested');
  const [userId, setUserId] = useState('');
  const [page, setPage] = useState(1);
  const [decision, setDecision] = useState<Decision>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useAdminPayouts({ status, userId, page });
  const pages = list.data?.pagination.pages ?? 1;

  function done(message: string) {
    setDecision(null);
    setNotice(message);
  }

  return (
    <section aria-labelledby="payout-queue-heading">
      <h1 id="payout-queue-heading">Payout queue</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="payout-status-filter">Status</label>
          <select
            id="payout-status-filter"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as PayoutStatus | '');
              setPage(1);
            }}
          >
            <option value="">All</option>
            {PAYOUT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="payout-user-filter">User ID</label>
          <input
            id="payout-user-filter"
            value={userId}
            onChange={(event) => {
              setUserId(event.target.value);
              setPage(1);
            }}
          />
        </div>
      </div>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      <ErrorAlert error={list.error} />
      {list.isPending && <Loading />}
      {list.data && list.data.data.length === 0 && <p>No payout requests match.</p>}
      {list.data && list.data.data.length > 0 && (
        <TableWrap label="Payout requests">
          <table>
            <caption className="visually-hidden">Payout requests</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Payout</th>
                <th scope="col">User ID</th>
                <th scope="col" className="amount">Amount</th>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((payout) => (
                <tr key={payout._id}>
                  <td>{formatDateTime(payout.createdAt)}</td>
                  <td>
                    {payout._id}
                    <History payout={payout} />
                  </td>
                  <td>{payout.userId}</td>
                  <td className="amount">
                    <Money value={payout.amount} currency={payout.currency} />
                  </td>
                  <td>{methodText(payout)}</td>
                  <td>
                    <span data-testid="payout-status">{payout.status}</span>
                    {payout.failureReason && <span className="muted"> ({payout.failureReason})</span>}
                  </td>
                  <td>
                    {payout.status === 'requested' && (
                      <div className="actions">
                        <button
                          type="button"
                          aria-label={`Approve ${payout._id}`}
                          onClick={() => {
                            setNotice(null);
                            setDecision({ kind: 'approve', payout });
                          }}
                        >
                          Approve
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Reject ${payout._id}`}
                          onClick={() => {
                            setNotice(null);
                            setDecision({ kind: 'reject', payout });
                          }}
                        >
                          Reject
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <div className="pager">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>
          Page {page} of {Math.max(pages, 1)}
        </span>
        <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </div>
      {decision?.kind === 'approve' && (
        <ApproveDialog payout={decision.payout} onClose={() => setDecision(null)} onDone={done} />
      )}
      {decision?.kind === 'reject' && (
        <RejectDialog payout={decision.payout} onClose={() => setDecision(null)} onDone={done} />
      )}
    </section>
  );
}
