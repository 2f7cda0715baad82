import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { formatMoney } from '@/lib/money';
import type { PayoutRequest } from '@/lib/api/types';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { useApprovePayout, useRejectPayout } from './api';
import { Dialog } from './Dialog';

interface DecisionProps {
  payout: PayoutRequest;
  onClose: () => void;
  onDone: (message: string) => void;
}

function summary(payout: PayoutRequest): string {
  return `${formatMoney(payout.amount, payout.currency)} to ${payout.userId} (${payout._id})`;
}

/** "Approve": an optional note, then the payout is sent to the payment provider. */
export function ApproveDialog({ payout, onClose, onDone }: DecisionProps) {
  const queryClient = useQueryClient();
  const approve = useApprovePayout();
  const [note, setNote] = useState('');
  const idem = useIdempotencyKey({ id: payout._id, note });
  const flight = useSingleFlight();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!flight.start()) return;
    approve.mutate(
      {
        params: { path: { payout_id: payout._id } },
        body: { note: note.trim() === '' ? null : note.trim() },
        headers: { 'Idempotency-Key': idem.key() },
      },
      {
        onSuccess: (reply) => {
          idem.renew();
          void queryClient.invalidateQueries();
          onDone(reply.message);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <Dialog title="Approve payout" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{summary(payout)}</p>
        <div className="field">
          <label htmlFor="approve-note">Note</label>
          <textarea id="approve-note" value={note} maxLength={500} onChange={(event) => setNote(event.target.value)} />
        </div>
        <ErrorAlert error={approve.error} />
        <div className="actions">
          <BusyButton type="submit" busy={approve.isPending}>
            Confirm approval
          </BusyButton>
          <button type="button" className="secondary" onClick={onClose} disabled={approve.isPending}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Reject": a reason is required; the held funds become available to the player again. */
export function RejectDialog({ payout, onClose, onDone }: DecisionProps) {
  const queryClient = useQueryClient();
  const reject = useRejectPayout();
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const idem = useIdempotencyKey({ id: payout._id, reason });
  const flight = useSingleFlight();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim() === '') {
      setFieldError('Enter the reason for rejecting.');
      return;
    }
    setFieldError(null);
    if (!flight.start()) return;
    reject.mutate(
      {
        params: { path: { payout_id: payout._id } },
        body: { reason: reason.trim() },
        headers: { 'Idempotency-Key': idem.key() },
      },
      {
        onSuccess: (reply) => {
          idem.renew();
          void queryClient.invalidateQueries();
          onDone(reply.message);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <Dialog title="Reject payout" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{summary(payout)}</p>
        <div className="field">
          <label htmlFor="reject-reason">Reason</label>
          <textarea
            id="reject-reason"
            value={reason}
            maxLength={500}
            aria-invalid={fieldError !== null}
            aria-describedby={fieldError ? 'reject-reason-error' : undefined}
            onChange={(event) => setReason(event.target.value)}
          />
          {fieldError && (
            <span id="reject-reason-error" className="field-error" role="alert">
              {fieldError}
            </span>
          )}
        </div>
        <ErrorAlert error={reject.error} />
        <div className="actions">
          <BusyButton type="submit" busy={reject.isPending}>
            Confirm rejection
          </BusyButton>
          <button type="button" className="secondary" onClick={onClose} disabled={reject.isPending}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
