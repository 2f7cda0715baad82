/**
 * Payout method checks, the same rules as payout_service/domain/methods.py: values are trimmed; UPI id
 * `handle@provider` (2–256 of letters, digits, . _ -, then 2–64 letters/digits); bank account number 9–18
 * digits; IFSC 4 letters, 0, 6 letters/digits (either case, sent upper-case); names non-empty, ≤100
 * characters, printable; Stripe `acct_` + at least 6 letters/digits (≤255 characters in all).
 */

export type MethodType = 'upi' | 'bank' | 'stripe';

export interface MethodFields {
  upiId: string;
  upiName: string;
  accountNumber: string;
  ifsc: string;
  accountHolderName: string;
  accountId: string;
}

export const EMPTY_FIELDS: MethodFields = {
  upiId: '', upiName: '', accountNumber: '', ifsc: '', accountHolderName: '', accountId: '',
};

export type PayoutMethodBody =
  | { type: 'upi'; details: { upiId: string; name: string } }
  | { type: 'bank'; details: { accountNumber: string; ifsc: string; accountHolderName: string } }
  | { type: 'stripe'; details: { accountId: string } };

export type FieldErrors = Partial<Record<keyof MethodFields, string>>;

const UPI_ID = /^[A-Za-z0-9._-]{2,256}@[A-Za-z0-9]{2,64}$/;
const ACCOUNT_NUMBER = /^[0-9]{9,18}$/;
const IFSC = /^[A-Z]{4}0[A-Z0-9]{6}$/;
const STRIPE_ACCOUNT = /^acct_[A-Za-z0-9]{6,}$/;
const NAME_MAX = 100;
// eslint-disable-next-line no-control-regex
const NOT_PRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;

function nameError(value: string, label: string): string | undefined {
  const name = value.normalize('NFC');
  if (name === '') return `Enter the ${label}.`;
  if (name.length > NAME_MAX) return `The ${label} must be at most ${NAME_MAX} characters.`;
  if (NOT_PRINTABLE.test(name)) return `The ${label} must not contain control or invisible characters.`;
  return undefined;
}

/** The method body to send, or the message of each invalid field. */
export function checkMethod(type: MethodType, raw: MethodFields): { ok: true; method: PayoutMethodBody } | { ok: false; errors: FieldErrors } {
  const f = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value.trim()])) as unknown as MethodFields;
  const errors: FieldErrors = {};
  if (type === 'upi') {
    if (!UPI_ID.test(f.upiId)) errors.upiId = 'Enter a UPI ID like name@bank (letters, digits, . _ - before the @).';
    const name = nameError(f.upiName, 'name on the UPI account');
    if (name) errors.upiName = name;
    if (Object.keys(errors).length) return { ok: false, errors };
    return { ok: true, method: { type, details: { upiId: f.upiId, name: f.upiName.normalize('NFC') } } };
  }
  if (type === 'bank') {
    const ifsc = /^[\x20-\x7e]*$/.test(f.ifsc) ? f.ifsc.toUpperCase() : f.ifsc;
    if (!ACCOUNT_NUMBER.test(f.accountNumber)) errors.accountNumber = 'The account number must be 9 to 18 digits.';
    if (!IFSC.test(ifsc)) errors.ifsc = 'The IFSC is 11 characters: 4 letters, the digit 0, then 6 letters or digits (e.g. HDFC0001234).';
    const name = nameError(f.accountHolderName, 'account holder name');
    if (name) errors.accountHolderName = name;
    if (Object.keys(errors).length) return { ok: false, errors };
    return {
      ok: true,
      method: { type, details: { accountNumber: f.accountNumber, ifsc, accountHolderName: f.accountHolderName.normalize('NFC') } },
    };
  }
  if (f.accountId.length > 255 || !STRIPE_ACCOUNT.test(f.accountId)) {
    return { ok: false, errors: { accountId: 'The Stripe account ID looks like acct_ followed by at least 6 letters or digits.' } };
  }
  return { ok: true, method: { type, details: { accountId: f.accountId } } };
}

export const METHOD_LABELS: Record<MethodType, string> = { upi: 'UPI', bank: 'Bank account', stripe: 'Stripe' };

/** A masked method for the table: "UPI pl****@paytm (John Doe)". */
export function describeMaskedMethod(method: { type: string; details: Record<string, string> }): string {
  const d = method.details;
  if (method.type === 'upi') return `UPI ${d.upiId ?? ''}${d.name ? ` (${d.name})` : ''}`;
  if (method.type === 'bank') return `Bank ${d.accountNumber ?? ''}${d.ifsc ? ` · ${d.ifsc}` : ''}${d.accountHolderName ? ` (${d.accountHolderName})` : ''}`;
  if (method.type === 'stripe') return `Stripe ${d.accountId ?? ''}`;
  return method.type;
}
