import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { TableWrap } from '@/components/TableWrap';
import type { Currency } from '@/lib/api/types';
import { formatMinor } from '@/lib/money';
import { useAnalytics } from './api';
import {
  chartDays, defaultRange, FIGURES, formatChartValue, rangeProblem, totalsRows, type ChartDay, type Figure,
} from './analyticsSeries';

const CURRENCIES: Currency[] = ['INR', 'USD'];
const COLORS: Record<Figure, string> = {
  topups: '#1d4ed8',
  payouts: '#b42318',
  entryFees: '#6d28d9',
  rewards: '#0f6b3a',
  platformFees: '#b45309',
  organizerFees: '#0e7490',
  refunds: '#4a5068',
};

function DailyChart({ label, days, figures, currency }: {
  label: string; days: ChartDay[]; figures: Figure[]; currency: string;
}) {
  const money = (value: unknown) => formatChartValue(Number(value), currency);
  return (
    <figure className="card" aria-label={label}>
      <figcaption>
        <h2>{label}</h2>
      </figcaption>
      <div className="chart">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: 260 }}>
          <BarChart data={days}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="date" />
            <YAxis tickFormatter={money} width={110} />
            <Tooltip formatter={money} />
            <Legend />
            {figures.map((key) => (
              <Bar key={key} dataKey={key} name={FIGURES.find((f) => f.key === key)?.label ?? key} fill={COLORS[key]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** /admin/analytics: money in and out and fees per UTC day, and the totals, for a date range and a currency. */
export function AnalyticsPage() {
  const initial = defaultRange();
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [currency, setCurrency] = useState<Currency>('INR');
  const problem = rangeProblem(from, to);
  const query = useAnalytics(from, to, currency, problem === null);
  const report = query.data?.data;
  const days = report ? chartDays(report) : [];

  return (
    <section aria-labelledby="analytics-heading">
      <h1 id="analytics-heading">Analytics</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="analytics-from">From</label>
          <input id="analytics-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="analytics-to">To</label>
          <input id="analytics-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="analytics-currency">Currency</label>
          <select
            id="analytics-currency"
            value={currency}
            onChange={(event) => setCurrency(event.target.value as Currency)}
          >
            {CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem && (
        <p role="alert" className="alert">
          {problem}
        </p>
      )}
      <ErrorAlert error={query.error} />
      {problem === null && query.isPending && <Loading />}
      {report && (
        <>
          <DailyChart
            label="Money in and out by day"
            days={days}
            figures={['topups', 'payouts', 'refunds']}
            currency={report.currency}
          />
          <DailyChart
            label="Fees by day"
            days={days}
            figures={['platformFees', 'organizerFees']}
            currency={report.currency}
          />
          <TableWrap label="Totals">
            <table aria-label="Totals">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" className="amount">
                    Total ({report.from} to {report.to})
                  </th>
                </tr>
              </thead>
              <tbody>
                {totalsRows(report).map((row) => (
                  <tr key={row.key}>
                    <th scope="row">{row.label}</th>
                    <td className="amount" data-testid={`total-${row.key}`}>
                      {formatMinor(row.minor, report.currency)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </section>
  );
}
