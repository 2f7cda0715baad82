import type { Competition, Distribution, Entry } from './api';

export function competition(overrides: Partial<Competition> = {}): Competition {
  return {
    _id: 'c1',
    organizerId: 'u_org_1',
    entryFee: 100,
    currency: 'INR',
    template: 'top3',
    status: 'open',
    poolBalance: 1000.5,
    entries: 2,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

export const entrants: Entry[] = [
  { userId: 'p_alpha', amount: 100, currency: 'INR', status: 'paid', createdAt: '2026-12-01T10:05:00Z' },
  { userId: 'p_beta', amount: 100, currency: 'INR', status: 'paid', createdAt: '2026-12-01T10:06:00Z' },
];

export function distribution(overrides: Partial<Distribution> = {}): Distribution {
  return {
    _id: 'final@c1',
    matchId: 'final@c1',
    competitionId: 'c1',
    template: 'top3',
    shares: null,
    currency: 'INR',
    prizePool: 1000.5,
    platformFee: 100.05,
    organizerFee: 50.02,
    platformFeePercentage: 10,
    organizerFeePercentage: 5,
    organizerId: 'u_org_1',
    payouts: [
      { userId: 'p_alpha', rank: 1, amount: 595.47 },
      { userId: 'p_beta', rank: 2, amount: 254.96 },
    ],
    status: 'preview',
    entryId: null,
    createdAt: '2026-12-02T10:00:00Z',
    updatedAt: '2026-12-02T10:00:00Z',
    ...overrides,
  };
}

export const page = (total: number, limit = 20) => ({
  pagination: { page: 1, limit, total, pages: Math.ceil(total / limit) },
});
