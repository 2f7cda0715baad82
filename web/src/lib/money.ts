/**
 * Exact money for the web app.
 *
 * The API sends amounts as JSON numbers in major units (1000.5 is ₹1,000.50). JSON.parse turns them into JS
 * numbers; a number that was written with at most the currency's minor digits and whose magnitude is below
 * MAX_EXACT_MAJOR (2^53 / 100, about 90 trillion major units) prints back exactly with toFixed(minorDigits),
 * so it is converted to a decimal string and then to integer minor units (BigInt). Amounts are never added
 * as floats: totals go through sumMinor / BigInt.
 */

export type MoneyInput = number | string | bigint;

export const MAX_EXACT_MAJOR = 2 ** 53 / 100;

const KNOWN_MINOR_DIGITS: Record<string, number> = { INR: 2, USD: 2 };

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/;

export function minorDigitsOf(currency: string): number {
  const known = KNOWN_MINOR_DIGITS[currency];
  if (known !== undefined) return known;
  return new Intl.NumberFormat('en-IN', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export class MoneyError extends Error {}

function numberToDecimal(value: number, digits: number): string {
  if (!Number.isFinite(value)) throw new MoneyError(`Not a finite amount: ${value}`);
  if (Math.abs(value) >= MAX_EXACT_MAJOR) throw new MoneyError(`Amount outside the exact range: ${value}`);
  return value.toFixed(digits);
}

/** Integer minor units of an amount in major units; more decimals than the currency has is an error. */
export function toMinor(value: MoneyInput, currency: string): bigint {
  if (typeof value === 'bigint') return value;
  const digits = minorDigitsOf(currency);
  const text = typeof value === 'number' ? numberToDecimal(value, digits) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`Not a decimal amount: ${text}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > digits) throw new MoneyError(`More than ${digits} decimals: ${text}`);
  const minor = BigInt(whole + fraction.padEnd(digits, '0').slice(0, digits));
  return sign === '-' ? -minor : minor;
}

/** The exact decimal string of an amount in minor units: 100050n INR → "1000.50". */
export function minorToDecimal(minor: bigint, currency: string): string {
  const digits = minorDigitsOf(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/** The number to send to the API for a decimal amount (exact within MAX_EXACT_MAJOR, at most 2 decimals). */
export function minorToApiNumber(minor: bigint, currency: string): number {
  return Number(minorToDecimal(minor, currency));
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    const digits = minorDigitsOf(currency);
    formatter = new Intl.NumberFormat('en-IN', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(currency, formatter);
  }
  return formatter;
}

/** ₹1,00,000.00 for 100000 INR; formats the exact decimal string, never a float product or sum. */
export function formatMinor(minor: bigint, currency: string): string {
  const decimal = minorToDecimal(minor, currency) as Intl.StringNumericLiteral;
  return formatterFor(currency).format(decimal);
}

export function formatMoney(value: MoneyInput, currency: string): string {
  return formatMinor(toMinor(value, currency), currency);
}

/** The exact sum of amounts in minor units. */
export function sumMinor(values: Iterable<MoneyInput>, currency: string): bigint {
  let total = 0n;
  for (const value of values) total += toMinor(value, currency);
  return total;
}

export type AmountCheck = { ok: true; minor: bigint } | { ok: false; message: string };

export interface AmountLimits {
  min?: MoneyInput | null;
  max?: MoneyInput | null;
}

/** What a person typed into an amount field, checked the way the server checks it. */
export function parseAmountInput(text: string, currency: string, limits: AmountLimits = {}): AmountCheck {
  const trimmed = text.trim();
  const digits = minorDigitsOf(currency);
  if (trimmed === '') return { ok: false, message: 'Enter an amount.' };
  if (!/^\d+(\.\d+)?$/.test(trimmed)) {
    return { ok: false, message: 'Enter a positive amount in numbers, like 1000 or 1000.50.' };
  }
  const fraction = trimmed.split('.')[1] ?? '';
  if (fraction.length > digits) {
    return { ok: false, message: `Use at most ${digits} decimal places.` };
  }
  const minor = toMinor(trimmed, currency);
  if (minor <= 0n) return { ok: false, message: 'The amount must be more than zero.' };
  if (minor >= toMinor(MAX_EXACT_MAJOR.toFixed(0), currency)) return { ok: false, message: 'That amount is too large.' };
  if (limits.min !== undefined && limits.min !== null && minor < toMinor(limits.min, currency)) {
    return { ok: false, message: `The minimum is ${formatMoney(limits.min, currency)}.` };
  }
  if (limits.max !== undefined && limits.max !== null && minor > toMinor(limits.max, currency)) {
    return { ok: false, message: `The maximum is ${formatMoney(limits.max, currency)}.` };
  }
  return { ok: true, minor };
}
