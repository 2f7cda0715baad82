import type { Period } from './api';

function isoDate(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** The last 30 days up to today (the server's default too), as YYYY-MM-DD in the viewer's calendar. */
export function lastThirtyDays(now: Date): Period {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 30);
  return { from: isoDate(from), to: isoDate(now) };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why a period cannot be asked for, or null. */
export function periodError(period: Period): string | null {
  if (!DATE.test(period.from) || !DATE.test(period.to)) return 'Enter both dates.';
  if (period.from > period.to) return 'The start date must not be after the end date.';
  return null;
}
