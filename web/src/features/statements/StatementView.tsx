import { TableWrap } from '@/components/TableWrap';
import { FUND_LABELS, FUND_NAMES, fundText, type FundAmounts } from '@/features/transactions/funds';
import { typeLabel } from '@/features/transactions/labels';
import { formatDateTime } from '@/lib/dates';
import { formatMoney, toMinor } from '@/lib/money';
import type { Statement } from './api';
import { FundBalances } from './FundBalances';

function fundsAfterText(funds: FundAmounts | null | undefined, currency: string): string {
  if (!funds) return '';
  return FUND_NAMES.map((name) => `${FUND_LABELS[name]} ${formatMoney(funds[name] ?? 0, currency)}`).join(' · ');
}

/** One statement: balances per fund, every transaction with the balance after it, and totals by type. */
export function StatementView({ statement }: { statement: Statement }) {
  const { currency } = statement;
  return (
    <>
      <section className="card" aria-labelledby="statement-balances-heading">
        <h2 id="statement-balances-heading">Balances</h2>
        <FundBalances opening={statement.opening} closing={statement.closing} currency={currency} />
      </section>
      <section className="card" aria-labelledby="statement-transactions-heading">
        <h2 id="statement-transactions-heading">Transactions</h2>
        {statement.truncated && (
          <p className="alert" role="status">
            This period has more transactions than one statement shows. Choose a shorter period to see them all.
          </p>
        )}
        <TableWrap label="Statement transactions">
          <table>
            <caption className="visually-hidden">Statement transactions</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Fund</th>
                <th scope="col">Description</th>
                <th scope="col" className="amount">Amount</th>
                <th scope="col" className="amount">Balance after</th>
              </tr>
            </thead>
            <tbody>
              {statement.transactions.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">No transactions in this period.</td>
                </tr>
              )}
              {statement.transactions.map((tx) => (
                <tr key={tx._id}>
                  <td>{formatDateTime(tx.createdAt)}</td>
                  <td>{typeLabel(tx.type)}</td>
                  <td>{fundText(tx) || '—'}</td>
                  <td>{tx.description || typeLabel(tx.type)}</td>
                  <td className={`amount ${toMinor(tx.amount, currency) < 0n ? 'negative' : 'positive'}`}>
                    {formatMoney(tx.amount, currency)}
                  </td>
                  <td className="amount">
                    {tx.balanceAfter === null ? '—' : formatMoney(tx.balanceAfter, currency)}
                    {tx.fundsAfter && <div className="muted">{fundsAfterText(tx.fundsAfter, currency)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <section className="card" aria-labelledby="statement-totals-heading">
        <h2 id="statement-totals-heading">Totals by type</h2>
        <TableWrap label="Totals by type">
          <table>
            <caption className="visually-hidden">Totals by type</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" className="amount">Count</th>
                <th scope="col" className="amount">Credits</th>
                <th scope="col" className="amount">Debits</th>
              </tr>
            </thead>
            <tbody>
              {statement.totals.map((total) => (
                <tr key={total.type}>
                  <th scope="row">{typeLabel(total.type)}</th>
                  <td className="amount">{total.count}</td>
                  <td className="amount">{formatMoney(total.credits, currency)}</td>
                  <td className="amount">{formatMoney(total.debits, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </>
  );
}
