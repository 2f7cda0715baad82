import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { formatMoney } from '@/lib/money';
import type { PayoutRequest } from '@/lib/api/types';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { useApprovePayout, useRejectPayout, useReleasePayout } from './api';
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
          onDone(
            reply.data.status === 'awaiting_second_approval'
              ? 'First approval recorded — needs a second admin.'
              : reply.message,
          );
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

interface TextDecisionProps {
  title: string;
  label: string;
  /** The message when the text is empty; absent: the text is optional. */
  missing?: string;
  confirm: string;
  fieldId: string;
  summary: string;
  text: string;
  onText: (text: string) => void;
  busy: boolean;
  error: unknown;
  onClose: () => void;
  onSend: (text: string) => void;
}

/** A decision with a text (a reject reason, a release note: required when `missing` is given). */
export function TextDecisionDialog(props: TextDecisionProps) {
  const { title, label, missing, confirm, fieldId, summary: what, text, onText, busy, error, onClose, onSend } = props;
  const [fieldError, setFieldError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (missing && text.trim() === '') {
      setFieldError(missing);
      return;
    }
    setFieldError(null);
    onSend(text.trim());
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <p>{what}</p>
        <div className="field">
          <label htmlFor={fieldId}>{label}</label>
          <textarea
            id={fieldId}
            value={text}
            maxLength={500}
            aria-invalid={fieldError !== null}
            aria-describedby={fieldError ? `${fieldId}-error` : undefined}
            onChange={(event) => onText(event.target.value)}
          />
          {fieldError && (
            <span id={`${fieldId}-error`} className="field-error" role="alert">
              {fieldError}
            </span>
          )}
        </div>
        <ErrorAlert error={error} />
        <div className="actions">
          <BusyButton type="submit" busy={busy}>
            {confirm}
          </BusyButton>
          <button type="button" className="secondary" onClick={onClose} disabled={busy}>
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
  const idem = useIdempotencyKey({ id: payout._id, reason });
  const flight = useSingleFlight();

  function send(text: string) {
    if (!flight.start()) return;
    reject.mutate(
      {
        params: { path: { payout_id: payout._id } },
        body: { reason: text },
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
    <TextDecisionDialog
      title="Reject payout"
      label="Reason"
      missing="Enter the reason for rejecting."
      confirm="Confirm rejection"
      fieldId="reject-reason"
      summary={summary(payout)}
      text={reason}
      onText={setReason}
      busy={reject.isPending}
      error={reject.error}
      onClose={onClose}
      onSend={send}
    />
  );
}

/** "Release": a held payout continues to `requested` (a note saying why is required). */
export function ReleaseDialog({ payout, onClose, onDone }: DecisionProps) {
  const queryClient = useQueryClient();
  const release = useReleasePayout();
  const [note, setNote] = useState('');
  const flight = useSingleFlight();

  function send(note: string) {
    if (!flight.start()) return;
    release.mutate(
      { params: { path: { payout_id: payout._id } }, body: { note } },
      {
        onSuccess: (reply) => {
          void queryClient.invalidateQueries();
          onDone(reply.message);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <TextDecisionDialog
      title="Release payout"
      label="Note"
      missing="Enter why this payout may continue."
      confirm="Confirm release"
      fieldId="release-note"
      summary={summary(payout)}
      text={note}
      onText={setNote}
      busy={release.isPending}
      error={release.error}
      onClose={onClose}
      onSend={send}
    />
  );
}
