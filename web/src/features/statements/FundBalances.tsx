import { TableWrap } from '@/components/TableWrap';
import { FUND_LABELS, FUND_NAMES, type FundAmounts } from '@/features/transactions/funds';
import { formatMoney, type MoneyInput } from '@/lib/money';

type Balances = FundAmounts & { total: MoneyInput };

/** Opening and closing balance of each fund over the statement's period. */
export function FundBalances({ opening, closing, currency }: { opening: Balances; closing: Balances; currency: string }) {
  const rows: { key: string; label: string }[] = [
    ...FUND_NAMES.map((name) => ({ key: name, label: FUND_LABELS[name] })),
    { key: 'total', label: 'Total' },
  ];
  const value = (balances: Balances, key: string) =>
    formatMoney((balances as Record<string, MoneyInput | null | undefined>)[key] ?? 0, currency);
  return (
    <TableWrap label="Balances">
      <table>
        <caption className="visually-hidden">Opening and closing balances</caption>
        <thead>
          <tr>
            <th scope="col">Fund</th>
            <th scope="col" className="amount">Opening</th>
            <th scope="col" className="amount">Closing</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              <td className="amount" data-testid={`opening-${row.key}`}>{value(opening, row.key)}</td>
              <td className="amount" data-testid={`closing-${row.key}`}>{value(closing, row.key)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
