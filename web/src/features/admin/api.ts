import { api } from '@/lib/api/client';
import type { PayoutRequest, TdsReport } from '@/lib/api/types';

export type PayoutStatus = PayoutRequest['status'];

export const PAYOUT_STATUSES: PayoutStatus[] = [
  'requested',
  'held',
  'awaiting_second_approval',
  'approved',
  'paid',
  'failed',
  'rejected',
];
export const PAGE_SIZE = 20;

export interface PayoutFilters {
  status: PayoutStatus | '';
  userId: string;
  page: number;
}

export const useAdminPayouts = ({ status, userId, page }: PayoutFilters) =>
  api.useQuery('get', '/api/admin/payouts', {
    params: {
      query: { page, limit: PAGE_SIZE, ...(status ? { status } : {}), ...(userId.trim() ? { userId: userId.trim() } : {}) },
    },
  });

export const useApprovePayout = () => api.useMutation('put', '/api/admin/payouts/{payout_id}/approve');
export const useRejectPayout = () => api.useMutation('put', '/api/admin/payouts/{payout_id}/reject');
export const useReleasePayout = () => api.useMutation('put', '/api/admin/payouts/{payout_id}/release');

export const KYC_REVIEW_STATUSES = ['pending', 'flagged', 'verified', 'rejected'] as const;
export type KycReviewStatus = (typeof KYC_REVIEW_STATUSES)[number];

export const useKycQueue = (status: KycReviewStatus, page: number) =>
  api.useQuery('get', '/api/admin/kyc', { params: { query: { status, page, limit: PAGE_SIZE } } });
export const useVerifyKyc = () => api.useMutation('put', '/api/admin/kyc/{user_id}/verify');
export const useRejectKyc = () => api.useMutation('put', '/api/admin/kyc/{user_id}/reject');
export const useUserProtection = (userId: string) =>
  api.useQuery('get', '/api/admin/users/{user_id}/protection', { params: { path: { user_id: userId } } });

export const useAudit = (enabled: boolean) => api.useQuery('get', '/api/admin/audit', {}, { enabled, staleTime: 0 });

export const useAnalytics = (from: string, to: string, currency: 'INR' | 'USD', enabled: boolean) =>
  api.useQuery('get', '/api/admin/analytics', { params: { query: { from, to, currency } } }, { enabled });

export const useGrantBonus = () => api.useMutation('post', '/api/admin/users/{user_id}/bonus');

export const useTdsReport = (fy: string, quarter: TdsReport['quarter'] | '') =>
  api.useQuery(
    'get',
    '/api/admin/tax/tds',
    { params: { query: { fy, format: 'json', ...(quarter ? { quarter } : {}) } } },
    { select: (reply): TdsReport | null => (typeof reply === 'string' ? null : reply.data) },
  );
