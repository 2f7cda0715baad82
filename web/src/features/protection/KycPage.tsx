import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { invalidatePaths } from '@/lib/api/invalidate';
import { useSingleFlight } from '@/lib/singleFlight';
import { PAN_PATTERN, canSubmitKyc, useMyKyc, useSubmitKyc } from './api';
import { KycStatusBadge } from './KycStatusBadge';

export interface KycFields {
  pan: string;
  name: string;
  dateOfBirth: string;
}

/** The form's problems by field (empty: it can be sent). */
export function checkKyc(fields: KycFields): Partial<Record<keyof KycFields, string>> {
  const errors: Partial<Record<keyof KycFields, string>> = {};
  if (!PAN_PATTERN.test(fields.pan)) errors.pan = 'Enter a PAN like ABCDE1234F: 5 letters, 4 digits, 1 letter.';
  const name = fields.name.trim();
  if (name === '' || name.length > 100) errors.name = 'Enter your name as on your PAN (up to 100 characters).';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fields.dateOfBirth)) errors.dateOfBirth = 'Enter your date of birth.';
  return errors;
}

function KycForm() {
  const [fields, setFields] = useState<KycFields>({ pan: '', name: '', dateOfBirth: '' });
  const [submitted, setSubmitted] = useState(false);
  const submit = useSubmitKyc();
  const queryClient = useQueryClient();
  const flight = useSingleFlight();
  const errors = submitted ? checkKyc(fields) : {};

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(checkKyc(fields)).length > 0 || submit.isPending || !flight.start()) return;
    submit.mutate(
      { body: { pan: fields.pan, name: fields.name.trim(), dateOfBirth: fields.dateOfBirth } },
      {
        onSuccess: () => void invalidatePaths(queryClient, ['/api/kyc']),
        onSettled: flight.finish,
      },
    );
  }

  const field = (key: keyof KycFields, label: string, input: ReactNode, hint?: string) => (
    <div className="field">
      <label htmlFor={`kyc-${key}`}>{label}</label>
      {input}
      {hint && (
        <span id={`kyc-${key}-hint`} className="hint">
          {hint}
        </span>
      )}
      {errors[key] && (
        <span className="field-error" id={`kyc-${key}-error`}>
          {errors[key]}
        </span>
      )}
    </div>
  );
  const described = (key: keyof KycFields, hint: boolean) =>
    [hint ? `kyc-${key}-hint` : '', errors[key] ? `kyc-${key}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Submit verification">
      {field(
        'pan',
        'PAN',
        <input
          id="kyc-pan"
          value={fields.pan}
          autoComplete="off"
          maxLength={10}
          aria-invalid={Boolean(errors.pan)}
          aria-describedby={described('pan', true)}
          onChange={(e) => setFields({ ...fields, pan: e.target.value.toUpperCase().replace(/\s/g, '') })}
        />,
        'Format: ABCDE1234F (5 letters, 4 digits, 1 letter).',
      )}
      {field(
        'name',
        'Name as on PAN',
        <input
          id="kyc-name"
          value={fields.name}
          autoComplete="name"
          aria-invalid={Boolean(errors.name)}
          aria-describedby={described('name', false)}
          onChange={(e) => setFields({ ...fields, name: e.target.value })}
        />,
      )}
      {field(
        'dateOfBirth',
        'Date of birth',
        <input
          id="kyc-dateOfBirth"
          type="date"
          value={fields.dateOfBirth}
          aria-invalid={Boolean(errors.dateOfBirth)}
          aria-describedby={described('dateOfBirth', false)}
          onChange={(e) => setFields({ ...fields, dateOfBirth: e.target.value })}
        />,
      )}
      <ErrorAlert error={submit.error} />
      <BusyButton type="submit" busy={submit.isPending}>
        Submit for verification
      </BusyButton>
    </form>
  );
}

/** /wallet/verification: the caller's KYC status, and the form when a submission is allowed. */
export function KycPage() {
  const kyc = useMyKyc();
  return (
    <section aria-labelledby="kyc-heading">
      <h1 id="kyc-heading">Verification</h1>
      <div className="card narrow-wide">
        {kyc.isPending && <Loading />}
        <ErrorAlert error={kyc.error} />
        {kyc.data && (
          <>
            <KycStatusBadge kyc={kyc.data.data} />
            {canSubmitKyc(kyc.data.data.status) && <KycForm />}
          </>
        )}
      </div>
    </section>
  );
}
