import { toCsv } from '@/lib/csv';
import { minorToDecimal, toMinor } from '@/lib/money';
import type { Pagination, Transaction } from '@/lib/api/types';
import { statusLabel, typeLabel } from './labels';

export const EXPORT_PAGE_SIZE = 100;
const MAX_EXPORT_PAGES = 1000;

export type PageFetcher = (page: number, limit: number) => Promise<{ data: Transaction[]; pagination: Pagination }>;

/** Every page `fetchPage` serves, in order (bounded at MAX_EXPORT_PAGES pages). */
export async function fetchAllTransactions(fetchPage: PageFetcher): Promise<Transaction[]> {
  const rows: Transaction[] = [];
  for (let page = 1; page <= MAX_EXPORT_PAGES; page += 1) {
    const { data, pagination } = await fetchPage(page, EXPORT_PAGE_SIZE);
    rows.push(...data);
    if (data.length === 0 || page >= pagination.pages) break;
  }
  return rows;
}

const HEADER = ['Date', 'Transaction ID', 'User ID', 'Type', 'Description', 'Amount', 'Currency', 'Status', 'Balance after'];

/** The rows as CSV with exact decimal amounts, then one "Total" line per currency (summed in minor units). */
export function transactionsCsv(rows: Transaction[]): string {
  const totals = new Map<string, bigint>();
  const lines = rows.map((tx) => {
    const minor = toMinor(tx.amount, tx.currency);
    totals.set(tx.currency, (totals.get(tx.currency) ?? 0n) + minor);
    return [
      tx.createdAt,
      tx._id,
      tx.userId,
      typeLabel(tx.type),
      tx.description,
      minorToDecimal(minor, tx.currency),
      tx.currency,
      statusLabel(tx.status),
      tx.balanceAfter === null ? '' : minorToDecimal(toMinor(tx.balanceAfter, tx.currency), tx.currency),
    ];
  });
  for (const [currency, total] of [...totals.entries()].sort()) {
    lines.push(['Total', '', '', '', `${rows.filter((tx) => tx.currency === currency).length} transactions`,
      minorToDecimal(total, currency), currency, '', '']);
  }
  return toCsv(HEADER, lines);
}
