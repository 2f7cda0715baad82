import { describe, expect, it } from 'vitest';
import { financialYearOf, recentFinancialYears } from './financialYear';

describe('financial years (India time)', () => {
  it('turns at 1 April 00:00 +05:30, which is 31 March 18:30 UTC', () => {
    expect(financialYearOf(new Date('2027-03-31T18:29:59Z'))).toBe('2026-27');
    expect(financialYearOf(new Date('2027-03-31T18:30:00Z'))).toBe('2027-28');
    expect(financialYearOf(new Date('2026-12-02T10:00:00Z'))).toBe('2026-27');
    expect(financialYearOf(new Date('2099-06-01T00:00:00Z'))).toBe('2099-00');
  });

  it('lists the current year and the ones before it', () => {
    expect(recentFinancialYears(new Date('2026-04-01T00:00:00Z'), 3)).toEqual(['2026-27', '2025-26', '2024-25']);
    expect(recentFinancialYears(new Date('2026-03-31T12:00:00Z'), 2)).toEqual(['2025-26', '2024-25']);
  });
});
