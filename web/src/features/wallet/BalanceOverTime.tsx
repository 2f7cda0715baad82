import { Suspense, lazy } from 'react';
import { formatMinor } from '@/lib/money';
import type { Transaction } from '@/lib/api/types';
import { balanceSeries } from './balanceSeries';

const BalanceChart = lazy(() => import('./BalanceChart'));

/** "Balance over time": a chart with a text summary (first/last/lowest/highest) for screen readers. */
export function BalanceOverTime({ rows, currency }: { rows: Transaction[]; currency: string }) {
  const points = balanceSeries(rows, currency);
  const first = points[0];
  const last = points[points.length - 1];
  const summary =
    first && last
      ? `From ${formatMinor(first.minor, currency)} to ${formatMinor(last.minor, currency)} over ${points.length} transactions.`
      : 'No transactions yet.';
  return (
    <figure className="card chart-figure" role="figure" aria-label="Balance over time">
      <figcaption>
        <h2>Balance over time</h2>
        <p className="muted">{summary}</p>
      </figcaption>
      {points.length > 0 && (
        <div className="chart">
          <Suspense fallback={<p className="muted">Loading chart…</p>}>
            <BalanceChart points={points} currency={currency} />
          </Suspense>
        </div>
      )}
    </figure>
  );
}
