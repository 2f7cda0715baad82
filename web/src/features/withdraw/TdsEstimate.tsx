import { ErrorAlert } from '@/components/ErrorAlert';
import type { Currency } from '@/lib/api/types';
import { formatMoney, minorToApiNumber } from '@/lib/money';
import { useTdsEstimate } from './api';
import { useDebounced } from './useDebounced';

interface Props {
  /** The valid amount typed so far (minor units), or null. */
  minor: bigint | null;
  currency: Currency;
}

/** Before a withdrawal is sent: the TDS the server would withhold on this amount and what arrives. */
export function TdsEstimate({ minor, currency }: Props) {
  const amount = useDebounced(minor === null ? null : minorToApiNumber(minor, currency));
  const estimate = useTdsEstimate(amount, currency);
  const data = estimate.data?.data;
  if (amount === null) return null;
  return (
    <div className="tds-estimate">
      <ErrorAlert error={estimate.error} />
      {data && (
        <p role="status" data-testid="tds-estimate">
          TDS withheld {formatMoney(data.tds, currency)}, you receive {formatMoney(data.netAmount, currency)}
          <span className="muted">
            {' '}
            (net winnings {formatMoney(data.netWinnings, currency)} in {data.financialYear}, TDS at {data.tdsRate}%)
          </span>
        </p>
      )}
    </div>
  );
}
