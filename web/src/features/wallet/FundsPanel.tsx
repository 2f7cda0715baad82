import { Money } from '@/components/Money';
import { FUND_LABELS, FUND_NAMES, type FundAmounts } from '@/features/transactions/funds';

interface Props {
  funds: FundAmounts;
  withdrawable: number;
  currency: string;
}

/** The balance split into Deposit / Winnings / Bonus, and what may be withdrawn of it. */
export function FundsPanel({ funds, withdrawable, currency }: Props) {
  return (
    <section className="card" aria-labelledby="funds-heading">
      <h2 id="funds-heading">Funds</h2>
      <dl className="details">
        {FUND_NAMES.map((name) => (
          <div key={name} style={{ display: 'contents' }}>
            <dt>{FUND_LABELS[name]}</dt>
            <dd>
              <Money value={funds[name] ?? 0} currency={currency} testId={`wallet-fund-${name}`} />
            </dd>
          </div>
        ))}
        <dt>Withdrawable</dt>
        <dd>
          <strong>
            <Money value={withdrawable} currency={currency} testId="wallet-withdrawable" />
          </strong>
        </dd>
      </dl>
      <p className="muted">Bonus is for entry fees only and cannot be withdrawn.</p>
    </section>
  );
}
