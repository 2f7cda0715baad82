import type { PayoutRequest } from '@/lib/api/types';
import type { Analytics } from './analyticsSeries';

export function payout(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  return {
    _id: 'po_1',
    userId: 'u_player_1',
    amount: 1500.25,
    currency: 'INR',
    method: { type: 'upi', details: { upiId: 'as***@paytm', name: 'Asha P' } },
    status: 'requested',
    adminNote: null,
    processedBy: null,
    transactionId: 'tx_hold_1',
    providerReference: null,
    failureReason: null,
    refundedAmount: 0,
    approvals: [],
    reviewReasons: [],
    needsDualApproval: false,
    history: [{ status: 'requested', at: '2026-12-01T09:00:00Z', by: 'u_player_1', note: null }],
    tds: 0,
    netAmount: overrides.amount ?? 1500.25,
    netWinnings: 0,
    financialYear: '2026-27',
    createdAt: '2026-12-01T09:00:00Z',
    updatedAt: '2026-12-01T09:00:00Z',
    ...overrides,
  };
}

const zero = { topups: 0, payouts: 0, entryFees: 0, rewards: 0, platformFees: 0, organizerFees: 0, refunds: 0 };

export const analytics: Analytics = {
  from: '2026-11-29',
  to: '2026-11-30',
  currency: 'INR',
  days: [
    { date: '2026-11-29', ...zero, topups: 0.1, payouts: 0.2, platformFees: 12.34 },
    { date: '2026-11-30', ...zero, topups: 90071992547.09, entryFees: 300, rewards: 255, platformFees: 30, organizerFees: 15, refunds: 0.01 },
  ],
  totals: {
    topups: 90071992547.19, payouts: 0.2, entryFees: 300, rewards: 255, platformFees: 42.34, organizerFees: 15, refunds: 0.01,
  },
};
