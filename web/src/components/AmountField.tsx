import { useId } from 'react';
import { formatMoney } from '@/lib/money';
import type { Bounds } from '@/lib/api/config';

interface Props {
  value: string;
  onChange: (value: string) => void;
  currency: string;
  bounds: Bounds | null;
  /** The validation message to show (after a submit attempt), or null. */
  error: string | null;
  label?: string;
}

/** "Amount" with its limits as text ("Minimum ₹…, maximum ₹…") and the validation message it describes. */
export function AmountField({ value, onChange, currency, bounds, error, label = 'Amount' }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, error ? errorId : ''].filter(Boolean).join(' ')}
      />
      <span id={hintId} className="hint">
        {bounds
          ? `Minimum ${formatMoney(bounds.min, currency)}, maximum ${formatMoney(bounds.max, currency)}`
          : `In ${currency}, up to 2 decimal places.`}
      </span>
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
