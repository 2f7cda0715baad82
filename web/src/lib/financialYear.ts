/** Indian financial years ("2026-27" = 1 April 2026 to 31 March 2027, India time, UTC+05:30). */

const IST_OFFSET_MS = 330 * 60_000;

function label(startYear: number): string {
  return `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`;
}

/** The financial year `at` falls in, as its label. */
export function financialYearOf(at: Date): string {
  const india = new Date(at.getTime() + IST_OFFSET_MS);
  const year = india.getUTCFullYear();
  return label(india.getUTCMonth() >= 3 ? year : year - 1);
}

/** The current financial year and the `count - 1` before it, newest first. */
export function recentFinancialYears(now: Date, count = 4): string[] {
  const start = Number(financialYearOf(now).slice(0, 4));
  return Array.from({ length: count }, (_, index) => label(start - index));
}

export const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'] as const;
export type Quarter = (typeof QUARTERS)[number];

export const QUARTER_LABELS: Record<Quarter, string> = {
  Q1: 'Q1 (April–June)',
  Q2: 'Q2 (July–September)',
  Q3: 'Q3 (October–December)',
  Q4: 'Q4 (January–March)',
};
