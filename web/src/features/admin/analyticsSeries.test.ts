import { describe, expect, it } from 'vitest';
import { chartDays, defaultRange, formatChartValue, rangeProblem, totalsRows } from './analyticsSeries';
import { analytics } from './fixtures';

describe('analytics mapping', () => {
  it('turns each decimal into exact integer paise, never a float of the major amount', () => {
    const [first, second] = chartDays(analytics);
    expect(first).toEqual({
      date: '2026-11-29', topups: 10, payouts: 20, entryFees: 0, rewards: 0, platformFees: 1234, organizerFees: 0,
      refunds: 0,
    });
    expect(second?.topups).toBe(9007199254709);
    expect(second?.refunds).toBe(1);
    expect((first?.topups ?? 0) + (first?.payouts ?? 0)).toBe(30);
  });

  it('formats chart values back from integer paise', () => {
    expect(formatChartValue(30, 'INR')).toBe('₹0.30');
    expect(formatChartValue(9007199254709, 'INR')).toBe('₹90,07,19,92,547.09');
    expect(formatChartValue(0, 'USD')).toBe('$0.00');
  });

  it('keeps the totals exact, in the order of the table', () => {
    const rows = totalsRows(analytics);
    expect(rows.map((row) => row.label)).toEqual([
      'Top-ups', 'Payouts', 'Entry fees', 'Rewards', 'Platform fees', 'Organizer fees', 'Refunds',
    ]);
    expect(rows[0]?.minor).toBe(9007199254719n);
    expect(rows[4]?.minor).toBe(4234n);
    const summed = chartDays(analytics).reduce((total, day) => total + BigInt(day.platformFees), 0n);
    expect(summed).toBe(rows[4]?.minor);
  });

  it("checks a date range as the API does", () => {
    expect(rangeProblem('2026-11-01', '2026-11-30')).toBeNull();
    expect(rangeProblem('2026-11-30', '2026-11-01')).toBe('"From" must not be after "To".');
    expect(rangeProblem('', '2026-11-01')).toBe('Choose both dates.');
    expect(rangeProblem('2025-01-01', '2026-01-02')).toBe('Choose at most 366 days.');
    expect(rangeProblem('2024-01-01', '2024-12-31')).toBeNull();
    expect(rangeProblem('2025-01-01', '2026-01-01')).toBeNull();
  });

  it('defaults to the last 30 UTC days', () => {
    expect(defaultRange(new Date('2026-12-02T23:30:00Z'))).toEqual({ from: '2026-11-03', to: '2026-12-02' });
  });
});
