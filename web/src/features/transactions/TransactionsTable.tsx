import { TableWrap } from '@/components/TableWrap';
import { Link } from 'react-router';
import { formatDateTime } from '@/lib/dates';
import { formatMoney, toMinor } from '@/lib/money';
import type { Transaction } from '@/lib/api/types';
import { fundText } from './funds';
import { statusLabel, typeLabel } from './labels';

interface Props {
  rows: Transaction[];
  caption: string;
  /** Where a row's date/description links (default: the player's detail view). */
  detailPath?: (tx: Transaction) => string;
  /** Show the owner's user id (admin view). */
  showUser?: boolean;
}

export const transactionPath = (tx: Transaction) => `/wallet/transactions/${encodeURIComponent(tx._id)}`;

export function TransactionsTable({ rows, caption, detailPath = transactionPath, showUser = false }: Props) {
  return (
    <TableWrap label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            {showUser && <th scope="col">User ID</th>}
            <th scope="col">Type</th>
            <th scope="col">Fund</th>
            <th scope="col">Description</th>
            <th scope="col" className="amount">
              Amount
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={showUser ? 7 : 6} className="muted">
                No transactions.
              </td>
            </tr>
          )}
          {rows.map((tx) => {
            const sign = toMinor(tx.amount, tx.currency);
            return (
              <tr key={tx._id}>
                <td>
                  <Link to={detailPath(tx)}>{formatDateTime(tx.createdAt)}</Link>
                </td>
                {showUser && <td>{tx.userId ?? '—'}</td>}
                <td>{typeLabel(tx.type)}</td>
                <td>{fundText(tx) || '—'}</td>
                <td>
                  <Link to={detailPath(tx)}>{tx.description || typeLabel(tx.type)}</Link>
                </td>
                <td className={`amount ${sign < 0n ? 'negative' : 'positive'}`}>{formatMoney(tx.amount, tx.currency)}</td>
                <td>{statusLabel(tx.status)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
