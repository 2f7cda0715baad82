import type { PayoutRequest, Transaction } from '@/lib/api/types';

let counter = 0;

export function tx(overrides: Partial<Transaction> = {}): Transaction {
  counter += 1;
  return {
    _id: `tx_${counter}`,
    userId: 'u_player_1',
    type: 'topup',
    amount: 100,
    currency: 'INR',
    source: 'payments',
    status: 'completed',
    description: 'Top-up',
    metadata: {},
    idempotencyKey: null,
    balanceAfter: 100,
    fund: 'deposit',
    funds: null,
    createdAt: `2026-11-0${(counter % 9) + 1}T10:00:00Z`,
    updatedAt: `2026-11-0${(counter % 9) + 1}T10:00:00Z`,
    ...overrides,
  };
}

export function payout(overrides: Partial<PayoutRequest> = {}): PayoutRequest {
  counter += 1;
  const amount = overrides.amount ?? 500;
  return {
    _id: `po_${counter}`,
    userId: 'u_player_1',
    amount: 500,
    currency: 'INR',
    method: { type: 'upi', details: { upiId: 'pl****@paytm', name: 'Asha Player' } },
    status: 'requested',
    adminNote: null,
    processedBy: null,
    transactionId: null,
    providerReference: null,
    failureReason: null,
    refundedAmount: 0,
    approvals: [],
    reviewReasons: [],
    needsDualApproval: false,
    history: [{ status: 'requested', at: '2026-11-02T10:00:00Z', by: 'u_player_1', note: null }],
    tds: 0,
    netAmount: amount,
    netWinnings: 0,
    financialYear: '2026-27',
    createdAt: '2026-11-02T10:00:00Z',
    updatedAt: '2026-11-02T10:00:00Z',
    ...overrides,
  } as PayoutRequest;
}

export const page = (pageNumber: number, total: number, limit = 20) => ({
  pagination: { page: pageNumber, limit, total, pages: Math.ceil(total / limit) },
});

export const config = {
  currencies: [
    { code: 'INR', minorDigits: 2, topup: { min: 100, max: 100000 }, payout: { min: 100, max: 50000 } },
    { code: 'USD', minorDigits: 2, topup: { min: 1, max: 1000 }, payout: null },
  ],
  platformFeePercentage: 10,
  organizerFeePercentage: 5,
  paymentProvider: 'mock',
  tdsRate: 0,
  withdrawableFunds: ['winnings', 'deposit'],
  bonusMaxShareOfEntry: 10,
  gstOnDepositPercent: 0,
  gstOnPlatformFeePercent: 0,
};

export const wallet = (overrides: Record<string, unknown> = {}) => ({
  balance: 1000,
  available: 1000,
  held: 0,
  currency: 'INR',
  totalEarnings: 0,
  receivable: 0,
  restricted: false,
  funds: { deposit: 1000, winnings: 0, bonus: 0 },
  withdrawable: 1000,
  bonusGrants: [],
  recentTransactions: [],
  ...overrides,
});
