import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AmountField } from '@/components/AmountField';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { invalidatePaths } from '@/lib/api/invalidate';
import { useIdempotencyKey } from '@/lib/idempotency';
import { formatMinor, minorToApiNumber, parseAmountInput } from '@/lib/money';
import { useSingleFlight } from '@/lib/singleFlight';
import { useGrantBonus } from './api';

const CURRENCY = 'INR';
const REASON_MAX = 500;

/** The UTC instant of a datetime-local value, or why it is not acceptable ('' is "never expires"). */
function expiryOf(local: string, now: Date): { ok: true; iso: string | null } | { ok: false; message: string } {
  if (local.trim() === '') return { ok: true, iso: null };
  const at = new Date(local);
  if (Number.isNaN(at.getTime())) return { ok: false, message: 'Enter a date and time, or leave it empty.' };
  if (at.getTime() <= now.getTime()) return { ok: false, message: 'The expiry must be in the future.' };
  return { ok: true, iso: at.toISOString() };
}

/** "Grant a bonus": amount, reason and an optional expiry, into the player's bonus fund. */
export function BonusGrantForm({ userId }: { userId: string }) {
  const queryClient = useQueryClient();
  const grant = useGrantBonus();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const idem = useIdempotencyKey({ userId, amount: amount.trim(), reason: reason.trim(), expires });
  const flight = useSingleFlight();
  const amountCheck = parseAmountInput(amount, CURRENCY);
  const expiry = expiryOf(expires, new Date());
  const reasonError = reason.trim() === '' ? 'Enter a reason.' : reason.trim().length > REASON_MAX
    ? `At most ${REASON_MAX} characters.` : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setDone(null);
    if (!amountCheck.ok || !expiry.ok || reasonError || grant.isPending || !flight.start()) return;
    const minor = amountCheck.minor;
    grant.mutate(
      {
        params: { path: { user_id: userId }, header: { 'Idempotency-Key': idem.key() } },
        body: {
          amount: minorToApiNumber(minor, CURRENCY),
          currency: CURRENCY,
          reason: reason.trim(),
          ...(expiry.iso ? { expiresAt: expiry.iso } : {}),
        },
      },
      {
        onSuccess: (reply) => {
          idem.renew();
          setDone(`Bonus of ${formatMinor(minor, CURRENCY)} granted (transaction ${reply.data._id}).`);
          setSubmitted(false);
          setAmount('');
          setReason('');
          setExpires('');
          void invalidatePaths(queryClient, ['/api/transactions', '/api/admin']);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <section className="card narrow-wide" aria-labelledby="bonus-grant-heading">
      <h2 id="bonus-grant-heading">Grant a bonus</h2>
      <p className="muted">Bonus money pays entry fees only; it is never withdrawable.</p>
      <form onSubmit={submit} noValidate>
        <AmountField value={amount} onChange={setAmount} currency={CURRENCY} bounds={null}
          error={submitted && !amountCheck.ok ? amountCheck.message : null} label="Bonus amount" />
        <div className="field">
          <label htmlFor="bonus-reason">Reason</label>
          <input id="bonus-reason" value={reason} maxLength={REASON_MAX} onChange={(event) => setReason(event.target.value)}
            aria-invalid={submitted && reasonError ? true : undefined}
            aria-describedby={submitted && reasonError ? 'bonus-reason-error' : undefined} />
          {submitted && reasonError && <span id="bonus-reason-error" className="field-error">{reasonError}</span>}
        </div>
        <div className="field">
          <label htmlFor="bonus-expires">Expires (optional)</label>
          <input id="bonus-expires" type="datetime-local" value={expires} onChange={(event) => setExpires(event.target.value)}
            aria-invalid={submitted && !expiry.ok ? true : undefined}
            aria-describedby={submitted && !expiry.ok ? 'bonus-expires-error' : 'bonus-expires-hint'} />
          <span id="bonus-expires-hint" className="hint">Your local time; leave empty for a bonus that never expires.</span>
          {submitted && !expiry.ok && <span id="bonus-expires-error" className="field-error">{expiry.message}</span>}
        </div>
        <ErrorAlert error={grant.error} />
        {done && (
          <p role="status" className="success">
            {done}
          </p>
        )}
        <BusyButton type="submit" busy={grant.isPending}>
          Grant bonus
        </BusyButton>
      </form>
    </section>
  );
}
