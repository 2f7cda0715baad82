import { useId } from 'react';
import type { FieldErrors, MethodFields, MethodType } from './methods';
import { METHOD_LABELS } from './methods';

interface TextFieldProps {
  name: keyof MethodFields;
  label: string;
  fields: MethodFields;
  errors: FieldErrors;
  onChange: (next: MethodFields) => void;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'email';
  placeholder?: string;
}

function TextField({ name, label, fields, errors, onChange, autoComplete = 'off', inputMode, placeholder }: TextFieldProps) {
  const id = useId();
  const error = errors[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={fields[name]}
        autoComplete={autoComplete}
        inputMode={inputMode}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange({ ...fields, [name]: event.target.value })}
      />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

interface Props {
  type: MethodType;
  onType: (type: MethodType) => void;
  fields: MethodFields;
  onFields: (fields: MethodFields) => void;
  errors: FieldErrors;
}

/** Radio group "Method" (UPI / Bank account / Stripe) and the chosen method's fields. */
export function MethodFieldset({ type, onType, fields, onFields, errors }: Props) {
  const common = { fields, errors, onChange: onFields };
  return (
    <>
      <fieldset className="field" role="radiogroup" aria-labelledby="method-legend">
        <legend id="method-legend">Method</legend>
        {(Object.keys(METHOD_LABELS) as MethodType[]).map((option) => (
          <label key={option} className="choice">
            <input type="radio" name="payout-method" value={option} checked={type === option} onChange={() => onType(option)} />
            {METHOD_LABELS[option]}
          </label>
        ))}
      </fieldset>
      {type === 'upi' && (
        <>
          <TextField name="upiId" label="UPI ID" placeholder="name@bank" {...common} />
          <TextField name="upiName" label="Name on the UPI account" autoComplete="name" {...common} />
        </>
      )}
      {type === 'bank' && (
        <>
          <TextField name="accountNumber" label="Account number" inputMode="numeric" {...common} />
          <TextField name="ifsc" label="IFSC" placeholder="HDFC0001234" {...common} />
          <TextField name="accountHolderName" label="Account holder name" autoComplete="name" {...common} />
        </>
      )}
      {type === 'stripe' && <TextField name="accountId" label="Stripe account ID" placeholder="acct_…" {...common} />}
    </>
  );
}
