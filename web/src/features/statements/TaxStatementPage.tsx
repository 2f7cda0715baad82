import { useState } from 'react';
import { Link } from 'react-router';
import { DownloadButton } from '@/components/DownloadButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FinancialYearSelect } from '@/components/FinancialYearSelect';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import { formatDateTime } from '@/lib/dates';
import { recentFinancialYears } from '@/lib/financialYear';
import { formatMoney } from '@/lib/money';
import { fetchTaxStatementFile, useTaxStatement, type TaxStatement } from './api';

const CURRENCY = 'INR';

function Summary({ statement }: { statement: TaxStatement }) {
  return (
    <dl className="details">
      <dt>PAN</dt>
      <dd data-testid="tax-pan">{statement.pan ?? 'Not on file'}</dd>
      <dt>TDS rate</dt>
      <dd>{statement.tdsRate}%</dd>
      <dt>Opening balance</dt>
      <dd><Money value={statement.openingBalance} currency={CURRENCY} testId="tax-opening" /></dd>
      <dt>Deposits</dt>
      <dd><Money value={statement.deposits} currency={CURRENCY} testId="tax-deposits" /></dd>
      <dt>Withdrawals</dt>
      <dd><Money value={statement.withdrawals} currency={CURRENCY} testId="tax-withdrawals" /></dd>
      <dt>Net winnings</dt>
      <dd><Money value={statement.netWinnings} currency={CURRENCY} testId="tax-net-winnings" /></dd>
      <dt>TDS</dt>
      <dd><Money value={statement.tds} currency={CURRENCY} testId="tax-tds" /></dd>
    </dl>
  );
}

function Withdrawals({ statement }: { statement: TaxStatement }) {
  return (
    <TableWrap label="Withdrawals in the year">
      <table>
        <caption className="visually-hidden">Withdrawals in the year</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Payout</th>
            <th scope="col" className="amount">Amount</th>
            <th scope="col" className="amount">Net winnings</th>
            <th scope="col" className="amount">TDS</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {statement.entries.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">No withdrawals in this year.</td>
            </tr>
          )}
          {statement.entries.map((entry) => (
            <tr key={entry.payoutId}>
              <td>{formatDateTime(entry.date)}</td>
              <td>{entry.payoutId}</td>
              <td className="amount">{formatMoney(entry.amount, CURRENCY)}</td>
              <td className="amount">{formatMoney(entry.netWinnings, CURRENCY)}</td>
              <td className="amount">{formatMoney(entry.tds, CURRENCY)}</td>
              <td>{entry.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** /wallet/tax-statement: a financial year's withdrawals, net winnings and TDS, with CSV and PDF downloads. */
export function TaxStatementPage() {
  const [years] = useState(() => recentFinancialYears(new Date()));
  const [fy, setFy] = useState(years[0] ?? '');
  const statement = useTaxStatement(fy);
  const data = statement.data;
  return (
    <section aria-labelledby="tax-statement-heading">
      <h1 id="tax-statement-heading">Tax statement</h1>
      <p>
        <Link to="/wallet/statements">Statement</Link>
      </p>
      <div className="filters">
        <FinancialYearSelect id="tax-fy" years={years} value={fy} onChange={setFy} />
      </div>
      <div className="actions">
        <DownloadButton label="Download CSV" fetchFile={() => fetchTaxStatementFile(fy, 'csv')} />
        <DownloadButton label="Download PDF" fetchFile={() => fetchTaxStatementFile(fy, 'pdf')} />
      </div>
      <ErrorAlert error={statement.error} />
      {statement.isPending && <Loading />}
      {data && (
        <>
          <section className="card" aria-labelledby="tax-summary-heading">
            <h2 id="tax-summary-heading">Financial year {data.fy}</h2>
            <Summary statement={data} />
            {data.yearEnd && (
              <p className="muted" data-testid="tax-year-end">
                Year closed: net winnings at year end {formatMoney(data.yearEnd.netWinnings, CURRENCY)}, TDS{' '}
                {formatMoney(data.yearEnd.tds, CURRENCY)}.
              </p>
            )}
          </section>
          <section className="card" aria-labelledby="tax-withdrawals-heading">
            <h2 id="tax-withdrawals-heading">Withdrawals</h2>
            <Withdrawals statement={data} />
          </section>
        </>
      )}
    </section>
  );
}
