import { api } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';

type Schemas = components['schemas'];
export type Kyc = Schemas['Kyc'];
export type KycStatus = Kyc['status'];
export type Limits = Schemas['Limits'];
export type LimitName = Schemas['PendingLimit']['limit'];
export type SelfExclusion = Schemas['SelfExclusion'];

export const LIMIT_LABELS: Record<LimitName, string> = {
  depositDaily: 'Deposit limit per day',
  depositMonthly: 'Deposit limit per 30 days',
  entryDaily: 'Entry-fee limit per day',
};
export const LIMIT_NAMES: LimitName[] = ['depositDaily', 'depositMonthly', 'entryDaily'];
export const EXCLUSION_DAYS = [7, 30, 90, 180, 365] as const;
export const PAN_PATTERN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;

export const useMyKyc = () => api.useQuery('get', '/api/kyc');
export const useSubmitKyc = () => api.useMutation('post', '/api/kyc');
export const useLimits = (currency: 'INR' | 'USD') =>
  api.useQuery('get', '/api/wallet/limits', { params: { query: { currency } } });
export const useSetLimits = () => api.useMutation('put', '/api/wallet/limits');
export const useSelfExclusion = () => api.useQuery('get', '/api/wallet/self-exclusion');
export const useSelfExclude = () => api.useMutation('post', '/api/wallet/self-exclusion');

/** Submission is allowed when there is no record, or after a rejection or a flag. */
export const canSubmitKyc = (status: KycStatus) => status === 'none' || status === 'rejected' || status === 'flagged';
