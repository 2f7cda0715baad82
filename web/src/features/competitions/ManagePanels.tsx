import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { formatMoney, minorToApiNumber, parseAmountInput } from '@/lib/money';
import { useEntries, useFund, useRefund, type Competition } from './api';
import { DistributeForm } from './DistributeForm';

/** "Fund the pool": sponsor money from the caller's wallet into the prize pool (Idempotency-Key required). */
function FundPanel({ competition }: { competition: Competition }) {
  const queryClient = useQueryClient();
  const fund = useFund();
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const idem = useIdempotencyKey({ amount, id: competition._id });
  const flight = useSingleFlight();

  function submit(event: FormEvent) {
    event.preventDefault();
    const check = parseAmountInput(amount, competition.currency);
    if (!check.ok) {
      setFieldError(check.message);
      return;
    }
    setFieldError(null);
    if (!flight.start()) return;
    setDone(null);
    fund.mutate(
      {
        params: { path: { competition_id: competition._id }, header: { 'Idempotency-Key': idem.key() } },
        body: { amount: minorToApiNumber(check.minor, competition.currency), currency: competition.currency },
      },
      {
        onSuccess: () => {
          idem.renew();
          setDone(`Added ${formatMoney(check.minor, competition.currency)} to the pool.`);
          setAmount('');
          void queryClient.invalidateQueries();
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="fund-heading">
      <h2 id="fund-heading">Fund the pool</h2>
      <div className="field">
        <label htmlFor="sponsor-amount">Sponsor amount</label>
        <input
          id="sponsor-amount"
          inputMode="decimal"
          value={amount}
          aria-invalid={fieldError !== null}
          aria-describedby={fieldError ? 'sponsor-amount-error' : undefined}
          onChange={(event) => setAmount(event.target.value)}
        />
        {fieldError && (
          <span id="sponsor-amount-error" className="field-error" role="alert">
            {fieldError}
          </span>
        )}
      </div>
      <ErrorAlert error={fund.error} />
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <BusyButton type="submit" busy={fund.isPending}>
        Fund pool
      </BusyButton>
    </form>
  );
}

/** "Cancel competition": cancels it and refunds every entry fee and sponsorship, once. */
function CancelPanel({ competition }: { competition: Competition }) {
  const queryClient = useQueryClient();
  const refund = useRefund();
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const idem = useIdempotencyKey({ reason, id: competition._id });
  const flight = useSingleFlight();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason.trim() === '') {
      setFieldError('Enter the reason for cancelling.');
      return;
    }
    setFieldError(null);
    if (!flight.start()) return;
    refund.mutate(
      {
        params: { path: { competition_id: competition._id } },
        body: { reason: reason.trim() },
        headers: { 'Idempotency-Key': idem.key() },
      },
      {
        onSuccess: () => {
          idem.renew();
          void queryClient.invalidateQueries();
        },
        onSettled: flight.finish,
      },
    );
  }

  const result = refund.data?.data.refund;
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="cancel-heading">
      <h2 id="cancel-heading">Cancel competition</h2>
      <div className="field">
        <label htmlFor="cancel-reason">Reason</label>
        <input
          id="cancel-reason"
          value={reason}
          maxLength={500}
          aria-invalid={fieldError !== null}
          aria-describedby={fieldError ? 'cancel-reason-error' : undefined}
          onChange={(event) => setReason(event.target.value)}
        />
        {fieldError && (
          <span id="cancel-reason-error" className="field-error" role="alert">
            {fieldError}
          </span>
        )}
      </div>
      <ErrorAlert error={refund.error} />
      {result && (
        <p className="success" role="status">
          Cancelled: {formatMoney(result.total, competition.currency)} refunded to {result.refunds.length}{' '}
          {result.refunds.length === 1 ? 'payer' : 'payers'}.
        </p>
      )}
      <BusyButton type="submit" busy={refund.isPending} disabled={competition.status === 'cancelled'}>
        Cancel and refund
      </BusyButton>
    </form>
  );
}

/** The owner's (or an admin's) tools: fund, entrants, distribute a match, cancel with refunds. */
export function ManagePanels({ competition }: { competition: Competition }) {
  const entries = useEntries(competition._id, true);
  const entrants = entries.data?.data;
  const cancelled = competition.status === 'cancelled';
  return (
    <>
      {!cancelled && <FundPanel competition={competition} />}
      <section className="card" aria-labelledby="entrants-heading">
        <h2 id="entrants-heading">Entrants</h2>
        <ErrorAlert error={entries.error} />
        {entries.isPending && <Loading />}
        {entrants && entrants.length === 0 && <p>No entries yet.</p>}
        {entrants && entrants.length > 0 && (
          <ul aria-labelledby="entrants-heading">
            {entrants.map((entry) => (
              <li key={entry.userId}>
                <span>{entry.userId}</span>{' '}
                <span className="muted">
                  (<Money value={entry.amount} currency={entry.currency} />, {entry.status})
                </span>
              </li>
            ))}
          </ul>
        )}
        {entries.data && entries.data.pagination.total > entries.data.data.length && (
          <p className="hint">
            Showing the first {entries.data.data.length} of {entries.data.pagination.total} entrants.
          </p>
        )}
      </section>
      {!cancelled && (
        <div className="card">
          <DistributeForm competitionId={competition._id} entrants={entrants} />
        </div>
      )}
      {!cancelled && <CancelPanel competition={competition} />}
    </>
  );
}
