import type { components } from '@/lib/api/schema';
import { formatMinor, toMinor } from '@/lib/money';

export type Analytics = components['schemas']['Analytics'];
export type ActivityDay = components['schemas']['ActivityDay'];
export type Figure = Exclude<keyof ActivityDay, 'date'>;

export const FIGURES: { key: Figure; label: string }[] = [
  { key: 'topups', label: 'Top-ups' },
  { key: 'payouts', label: 'Payouts' },
  { key: 'entryFees', label: 'Entry fees' },
  { key: 'rewards', label: 'Rewards' },
  { key: 'platformFees', label: 'Platform fees' },
  { key: 'organizerFees', label: 'Organizer fees' },
  { key: 'refunds', label: 'Refunds' },
];

/** One day of a chart: every figure in integer minor units (paise), which a JS number holds exactly. */
export type ChartDay = { date: string } & Record<Figure, number>;

/**
 * The API's exact decimals as chart points: each amount becomes its integer minor units (never a float of the
 * major amount), so bars are exact and axis/tooltip labels are formatted back from the integer.
 */
export function chartDays(report: Analytics): ChartDay[] {
  return report.days.map((day) => {
    const point = { date: day.date } as ChartDay;
    for (const { key } of FIGURES) point[key] = Number(toMinor(day[key], report.currency));
    return point;
  });
}

/** A chart value (integer minor units) as money: 123456 INR → "₹1,234.56". */
export function formatChartValue(minor: number, currency: string): string {
  return formatMinor(BigInt(Math.round(minor)), currency);
}

/** The totals as rows of the "Totals" table, formatted exactly from the API's decimals. */
export function totalsRows(report: Analytics): { key: Figure; label: string; minor: bigint }[] {
  return FIGURES.map(({ key, label }) => ({ key, label, minor: toMinor(report.totals[key], report.currency) }));
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last 30 UTC days, today included. */
export function defaultRange(now: Date = new Date()): { from: string; to: string } {
  const start = new Date(now.getTime() - 29 * 86_400_000);
  return { from: isoDay(start), to: isoDay(now) };
}

export const MAX_RANGE_DAYS = 366;

/** Why a date range cannot be asked for (the API's rules), or null when it can. */
export function rangeProblem(from: string, to: string): string | null {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) return 'Choose both dates.';
  const first = Date.parse(`${from}T00:00:00Z`);
  const last = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(first) || Number.isNaN(last)) return 'Choose both dates.';
  if (first > last) return '"From" must not be after "To".';
  if ((last - first) / 86_400_000 + 1 > MAX_RANGE_DAYS) return `Choose at most ${MAX_RANGE_DAYS} days.`;
  return null;
}
