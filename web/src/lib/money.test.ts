import { describe, expect, it } from 'vitest';
import {
  MAX_EXACT_MAJOR,
  MoneyError,
  formatMinor,
  formatMoney,
  minorToApiNumber,
  minorToDecimal,
  parseAmountInput,
  sumMinor,
  toMinor,
} from './money';

describe('formatMoney', () => {
  it('groups INR the Indian way', () => {
    expect(formatMoney(100000, 'INR')).toBe('₹1,00,000.00');
    expect(formatMoney(1000, 'INR')).toBe('₹1,000.00');
    expect(formatMoney(1000.5, 'INR')).toBe('₹1,000.50');
    expect(formatMoney(12345678.9, 'INR')).toBe('₹1,23,45,678.90');
    expect(formatMoney(0, 'INR')).toBe('₹0.00');
  });

  it('formats USD with the dollar sign', () => {
    expect(formatMoney(1234.5, 'USD')).toBe('$1,234.50');
    expect(formatMoney('0.01', 'USD')).toBe('$0.01');
  });

  it('formats negative amounts', () => {
    expect(formatMoney(-500, 'INR')).toBe('-₹500.00');
    expect(formatMoney('-0.05', 'INR')).toBe('-₹0.05');
  });

  it('formats the largest exact amounts without rounding', () => {
    expect(formatMoney('90071992547409.91', 'INR')).toBe('₹9,00,71,99,25,47,409.91');
    expect(formatMinor(123456789012345678901n, 'INR')).toBe('₹12,34,56,78,90,12,34,56,789.01');
  });

  it('refuses amounts it cannot show exactly', () => {
    expect(() => formatMoney(Number.NaN, 'INR')).toThrow(MoneyError);
    expect(() => formatMoney(Infinity, 'INR')).toThrow(MoneyError);
    expect(() => formatMoney(MAX_EXACT_MAJOR * 2, 'INR')).toThrow(MoneyError);
    expect(() => formatMoney('1.005', 'INR')).toThrow(MoneyError);
    expect(() => formatMoney('abc', 'INR')).toThrow(MoneyError);
  });
});

describe('integer minor units', () => {
  it('parses the JSON numbers the API sends exactly', () => {
    expect(toMinor(0.1, 'INR')).toBe(10n);
    expect(toMinor(0.2, 'INR')).toBe(20n);
    expect(toMinor(1000.5, 'INR')).toBe(100050n);
    expect(toMinor(-0.07, 'INR')).toBe(-7n);
    expect(toMinor(' 12.30 ', 'INR')).toBe(1230n);
  });

  it('sums like decimals, not like floats', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    const total = sumMinor([0.1, 0.2], 'INR');
    expect(total).toBe(30n);
    expect(minorToDecimal(total, 'INR')).toBe('0.30');
    expect(formatMinor(sumMinor([0.1, 0.2, -0.3], 'INR'), 'INR')).toBe('₹0.00');
    const many = sumMinor(Array.from({ length: 1000 }, () => 0.01), 'INR');
    expect(formatMinor(many, 'INR')).toBe('₹10.00');
  });

  it('turns minor units back into the number a JSON body needs', () => {
    expect(minorToApiNumber(100050n, 'INR')).toBe(1000.5);
    expect(JSON.stringify({ amount: minorToApiNumber(30n, 'INR') })).toBe('{"amount":0.3}');
    expect(minorToDecimal(-5n, 'INR')).toBe('-0.05');
  });
});

describe('parseAmountInput', () => {
  const limits = { min: 100, max: 100000 };

  it('accepts plain amounts within limits', () => {
    expect(parseAmountInput('1000', 'INR', limits)).toEqual({ ok: true, minor: 100000n });
    expect(parseAmountInput('100.50', 'INR', limits)).toEqual({ ok: true, minor: 10050n });
  });

  it.each([
    ['', 'Enter an amount.'],
    ['0', 'The amount must be more than zero.'],
    ['-5', 'Enter a positive amount in numbers, like 1000 or 1000.50.'],
    ['1e3', 'Enter a positive amount in numbers, like 1000 or 1000.50.'],
    ['NaN', 'Enter a positive amount in numbers, like 1000 or 1000.50.'],
    ['12.345', 'Use at most 2 decimal places.'],
    ['99.99', 'The minimum is ₹100.00.'],
    ['100000.01', 'The maximum is ₹1,00,000.00.'],
    ['999999999999999999', 'That amount is too large.'],
  ])('refuses %j', (text, message) => {
    const check = parseAmountInput(text, 'INR', text === '999999999999999999' ? {} : limits);
    expect(check).toEqual({ ok: false, message });
  });
});
