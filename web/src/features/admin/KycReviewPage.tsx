import { Pager } from '@/features/transactions/Pager';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { TableWrap } from '@/components/TableWrap';
import { formatDateTime } from '@/lib/dates';
import { useSingleFlight } from '@/lib/singleFlight';
import type { Kyc } from '@/features/protection/api';
import { KYC_REVIEW_STATUSES, useKycQueue, useRejectKyc, useVerifyKyc, type KycReviewStatus } from './api';
import { TextDecisionDialog } from './PayoutDecisionDialogs';

interface KycDecisionProps {
  kyc: Kyc;
  onClose: () => void;
  onDone: (message: string) => void;
}

const who = (kyc: Kyc) => `${kyc.name ?? '—'} (${kyc.userId}), PAN ${kyc.pan ?? '—'}`;

/** "Verify": an optional note; one PUT per confirmation. */
export function VerifyKycDialog({ kyc, onClose, onDone }: KycDecisionProps) {
  const queryClient = useQueryClient();
  const verify = useVerifyKyc();
  const [note, setNote] = useState('');
  const flight = useSingleFlight();
  return (
    <TextDecisionDialog
      title="Verify KYC"
      label="Note (optional)"
      confirm="Confirm verification"
      fieldId="kyc-verify-note"
      summary={who(kyc)}
      text={note}
      onText={setNote}
      busy={verify.isPending}
      error={verify.error}
      onClose={onClose}
      onSend={(text) => {
        if (!flight.start()) return;
        verify.mutate(
          { params: { path: { user_id: kyc.userId } }, body: { note: text === '' ? null : text } },
          {
            onSuccess: (reply) => {
              void queryClient.invalidateQueries();
              onDone(reply.message);
            },
            onSettled: flight.finish,
          },
        );
      }}
    />
  );
}

/** "Reject": a reason is required; the player may submit again. */
export function RejectKycDialog({ kyc, onClose, onDone }: KycDecisionProps) {
  const queryClient = useQueryClient();
  const reject = useRejectKyc();
  const [reason, setReason] = useState('');
  const flight = useSingleFlight();
  return (
    <TextDecisionDialog
      title="Reject KYC"
      label="Reason"
      missing="Enter the reason for rejecting."
      confirm="Confirm rejection"
      fieldId="kyc-reject-reason"
      summary={who(kyc)}
      text={reason}
      onText={setReason}
      busy={reject.isPending}
      error={reject.error}
      onClose={onClose}
      onSend={(text) => {
        if (!flight.start()) return;
        reject.mutate(
          { params: { path: { user_id: kyc.userId } }, body: { reason: text } },
          {
            onSuccess: (reply) => {
              void queryClient.invalidateQueries();
              onDone(reply.message);
            },
            onSettled: flight.finish,
          },
        );
      }}
    />
  );
}

type Decision = { kind: 'verify' | 'reject'; kyc: Kyc } | null;

/** /admin/kyc: KYC submissions by status (pending first), each verified or rejected. */
export function KycReviewPage() {
  const [status, setStatus] = useState<KycReviewStatus>('pending');
  const [page, setPage] = useState(1);
  const [decision, setDecision] = useState<Decision>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useKycQueue(status, page);
  const done = (message: string) => {
    setDecision(null);
    setNotice(message);
  };
  const open = (kind: 'verify' | 'reject', kyc: Kyc) => {
    setNotice(null);
    setDecision({ kind, kyc });
  };

  return (
    <section aria-labelledby="kyc-review-heading">
      <h1 id="kyc-review-heading">KYC review</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="kyc-status-filter">Status</label>
          <select
            id="kyc-status-filter"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as KycReviewStatus);
              setPage(1);
            }}
          >
            {KYC_REVIEW_STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
      </div>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      <ErrorAlert error={list.error} />
      {list.isPending && <Loading />}
      {list.data && list.data.data.length === 0 && <p>No KYC submissions match.</p>}
      {list.data && list.data.data.length > 0 && (
        <TableWrap label="KYC submissions">
          <table>
            <caption className="visually-hidden">KYC submissions</caption>
            <thead>
              <tr>
                <th scope="col">Submitted</th>
                <th scope="col">User ID</th>
                <th scope="col">Name</th>
                <th scope="col">Date of birth</th>
                <th scope="col">PAN</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((kyc) => (
                <tr key={kyc.userId}>
                  <td>{kyc.submittedAt ? formatDateTime(kyc.submittedAt) : '—'}</td>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(kyc.userId)}`}>{kyc.userId}</Link>
                  </td>
                  <td>{kyc.name}</td>
                  <td>{kyc.dateOfBirth}</td>
                  <td>{kyc.pan}</td>
                  <td>
                    <span data-testid="kyc-row-status">{kyc.status}</span>
                    {kyc.note && <span className="muted"> ({kyc.note})</span>}
                  </td>
                  <td>
                    {(kyc.status === 'pending' || kyc.status === 'flagged') && (
                      <div className="actions">
                        <button type="button" aria-label={`Verify ${kyc.userId}`} onClick={() => open('verify', kyc)}>
                          Verify
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Reject ${kyc.userId}`}
                          onClick={() => open('reject', kyc)}
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
      {decision?.kind === 'verify' && (
        <VerifyKycDialog kyc={decision.kyc} onClose={() => setDecision(null)} onDone={done} />
      )}
      {decision?.kind === 'reject' && (
        <RejectKycDialog kyc={decision.kyc} onClose={() => setDecision(null)} onDone={done} />
      )}
    </section>
  );
}
