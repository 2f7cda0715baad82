import type { TransactionStatus, TransactionType } from '@/lib/api/types';

/** Every transaction type the API knows (a new one in the schema is a compile error here until labelled). */
export const TYPE_LABELS: Record<TransactionType, string> = {
  credit: 'Credit',
  debit: 'Debit',
  reward: 'Reward',
  entryFee: 'Entry fee',
  payout: 'Payout',
  refund: 'Refund',
  topup: 'Top-up',
  organizerFee: 'Organizer fee',
  platformFee: 'Platform fee',
  bonus: 'Bonus',
  bonusExpired: 'Bonus expired',
  tds: 'TDS withheld',
  gst: 'GST',
  migration: 'Funds migration',
  chargeback: 'Chargeback',
};

export const STATUS_LABELS: Record<TransactionStatus, string> = {
  pending: 'Pending',
  completed: 'Completed',
  failed: 'Failed',
};

export const TRANSACTION_TYPES = Object.keys(TYPE_LABELS) as TransactionType[];
export const TRANSACTION_STATUSES = Object.keys(STATUS_LABELS) as TransactionStatus[];

export function typeLabel(type: string): string {
  return (TYPE_LABELS as Record<string, string>)[type] ?? type;
}

export function statusLabel(status: string): string {
  return (STATUS_LABELS as Record<string, string>)[status] ?? status;
}
