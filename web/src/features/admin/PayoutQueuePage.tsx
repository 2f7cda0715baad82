import { Pager } from '@/features/transactions/Pager';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import type { PayoutRequest } from '@/lib/api/types';
import { PAYOUT_STATUSES, useAdminPayouts, type PayoutStatus } from './api';
import { formatDateTime } from '@/lib/dates';
import { ApproveDialog, RejectDialog, ReleaseDialog } from './PayoutDecisionDialogs';

type Decision = { kind: 'approve' | 'reject' | 'release'; payout: PayoutRequest } | null;

const DECIDABLE: PayoutStatus[] = ['requested', 'held', 'awaiting_second_approval'];

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

/** Why a payout is held, and the approvals it has so far. */
function ReviewNotes({ payout }: { payout: PayoutRequest }) {
  if (payout.reviewReasons.length === 0 && payout.approvals.length === 0) return null;
  return (
    <ul className="muted review-notes">
      {payout.reviewReasons.map((reason) => (
        <li key={reason.rule}>
          Held: {reason.message} ({reason.rule})
        </li>
      ))}
      {payout.approvals.map((approval, index) => (
        <li key={index}>
          Approved by {approval.by} at {formatDateTime(approval.at)}
          {approval.note ? ` (${approval.note})` : ''}
        </li>
      ))}
    </ul>
  );
}

/**
 * /admin/payouts: payout requests by status and user; requested ones approved (with a note; above the
 * dual-approval threshold by two admins) or rejected (with a reason), held ones released (with a note).
 */
export function PayoutQueuePage() {
  const [status, setStatus] = useState<PayoutStatus | ''>('requested');
  const [searchParams] = useSearchParams();
  const [userId, setUserId] = useState(() => searchParams.get('userId') ?? '');
  const [page, setPage] = useState(1);
  const [decision, setDecision] = useState<Decision>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useAdminPayouts({ status, userId, page });

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
                <th scope="col" className="amount">TDS</th>
                <th scope="col" className="amount">Net amount</th>
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
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(payout.userId)}`}>{payout.userId}</Link>
                  </td>
                  <td className="amount">
                    <Money value={payout.amount} currency={payout.currency} />
                  </td>
                  <td className="amount">
                    <Money value={payout.tds} currency={payout.currency} />
                  </td>
                  <td className="amount">
                    <Money value={payout.netAmount} currency={payout.currency} />
                  </td>
                  <td>{methodText(payout)}</td>
                  <td>
                    <span data-testid="payout-status">{payout.status}</span>
                    {payout.failureReason && <span className="muted"> ({payout.failureReason})</span>}
                    <ReviewNotes payout={payout} />
                  </td>
                  <td>
                    {DECIDABLE.includes(payout.status) && (
                      <div className="actions">
                        {payout.status === 'held' && (
                          <button
                            type="button"
                            aria-label={`Release ${payout._id}`}
                            onClick={() => {
                              setNotice(null);
                              setDecision({ kind: 'release', payout });
                            }}
                          >
                            Release
                          </button>
                        )}
                        {payout.status !== 'held' && (
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
                        )}
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
      <Pager pagination={list.data?.pagination} onPage={setPage} />
      {decision?.kind === 'approve' && (
        <ApproveDialog payout={decision.payout} onClose={() => setDecision(null)} onDone={done} />
      )}
      {decision?.kind === 'reject' && (
        <RejectDialog payout={decision.payout} onClose={() => setDecision(null)} onDone={done} />
      )}
      {decision?.kind === 'release' && (
        <ReleaseDialog payout={decision.payout} onClose={() => setDecision(null)} onDone={done} />
      )}
    </section>
  );
}
