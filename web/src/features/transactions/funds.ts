import { formatMoney, toMinor, type MoneyInput } from '@/lib/money';

/** The wallet's funds in the order the app shows them. */
export const FUND_NAMES = ['deposit', 'winnings', 'bonus'] as const;
export type FundName = (typeof FUND_NAMES)[number];

export const FUND_LABELS: Record<FundName, string> = { deposit: 'Deposit', winnings: 'Winnings', bonus: 'Bonus' };

export type FundAmounts = Partial<Record<FundName, MoneyInput | null>>;

export function fundLabel(fund: string): string {
  return (FUND_LABELS as Record<string, string>)[fund] ?? fund;
}

interface WithFunds {
  currency: string;
  fund?: string | null;
  funds?: FundAmounts | null;
}

/**
 * Which fund a transaction moved: "Winnings" for one fund, "Deposit ₹900.00 · Bonus ₹100.00" when one entry
 * drew on several, "" when the row has none (a leg of no user fund).
 */
export function fundText(tx: WithFunds): string {
  const moved = FUND_NAMES.flatMap((name) => {
    const value = tx.funds?.[name];
    return value === undefined || value === null || toMinor(value, tx.currency) === 0n ? [] : [{ name, value }];
  });
  if (moved.length > 1) return moved.map(({ name, value }) => `${FUND_LABELS[name]} ${formatMoney(value, tx.currency)}`).join(' · ');
  if (tx.fund) return fundLabel(tx.fund);
  return moved[0] ? FUND_LABELS[moved[0].name] : '';
}
