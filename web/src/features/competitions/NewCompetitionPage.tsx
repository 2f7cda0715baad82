import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { RequireRole } from '@/app/guards';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { minorToApiNumber, parseAmountInput } from '@/lib/money';
import type { Currency } from '@/lib/api/types';
import { TEMPLATES, useOpenCompetition, type Template } from './api';

const CURRENCIES: Currency[] = ['INR', 'USD'];

function OpenCompetitionForm() {
  const navigate = useNavigate();
  const open = useOpenCompetition();
  const [entryFee, setEntryFee] = useState('');
  const [currency, setCurrency] = useState<Currency>('INR');
  const [template, setTemplate] = useState<Template>('winner_takes_all');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const idem = useIdempotencyKey({ entryFee, currency, template });
  const flight = useSingleFlight();

  function submit(event: FormEvent) {
    event.preventDefault();
    const fee = parseAmountInput(entryFee, currency);
    if (!fee.ok) {
      setFieldError(fee.message);
      return;
    }
    setFieldError(null);
    if (!flight.start()) return;
    open.mutate(
      {
        body: { entryFee: minorToApiNumber(fee.minor, currency), currency, template, organizerId: null },
        headers: { 'Idempotency-Key': idem.key() },
      },
      {
        onSuccess: (reply) => {
          idem.renew();
          void navigate(`/competitions/${encodeURIComponent(reply.data._id)}`);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <form className="card narrow" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="entry-fee">Entry fee</label>
        <input
          id="entry-fee"
          inputMode="decimal"
          value={entryFee}
          aria-invalid={fieldError !== null}
          aria-describedby={fieldError ? 'entry-fee-error' : undefined}
          onChange={(event) => setEntryFee(event.target.value)}
        />
        {fieldError && (
          <span id="entry-fee-error" className="field-error" role="alert">
            {fieldError}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="competition-currency">Currency</label>
        <select id="competition-currency" value={currency} onChange={(e) => setCurrency(e.target.value as Currency)}>
          {CURRENCIES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="prize-template">Prize template</label>
        <select id="prize-template" value={template} onChange={(e) => setTemplate(e.target.value as Template)}>
          {TEMPLATES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert error={open.error} />
      <BusyButton type="submit" busy={open.isPending}>
        Open competition
      </BusyButton>
    </form>
  );
}

/** /competitions/new (organizers and admins): the terms of a new prize pool. */
export function NewCompetitionPage() {
  return (
    <RequireRole roles={['organizer', 'admin']}>
      <section aria-labelledby="new-competition-heading">
        <h1 id="new-competition-heading">Open a competition</h1>
        <OpenCompetitionForm />
      </section>
    </RequireRole>
  );
}
