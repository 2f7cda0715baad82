import { minorToApiNumber, toMinor } from '@/lib/money';
import type { Transaction } from '@/lib/api/types';

export interface BalancePoint {
  at: string;
  /** The exact balance after the transaction, in minor units. */
  minor: bigint;
  /** The same as a number, for plotting only (never summed or shown). */
  value: number;
}

/**
 * The balance after each transaction in `currency`, oldest first, from each row's `balanceAfter` (rows
 * without one, such as a pending hold, are skipped). No amounts are added up: the server's figure is used.
 */
export function balanceSeries(rows: Transaction[], currency: string): BalancePoint[] {
  return rows
    .filter((tx) => tx.currency === currency && tx.balanceAfter !== null)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id))
    .map((tx) => {
      const minor = toMinor(tx.balanceAfter ?? 0, currency);
      return { at: tx.createdAt, minor, value: minorToApiNumber(minor, currency) };
    });
}
