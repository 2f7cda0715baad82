import { api } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';

type Schemas = components['schemas'];

export type Competition = Schemas['Competition'];
export type CompetitionStatus = Competition['status'];
export type Template = Competition['template'];
export type Entry = Schemas['Entry'];
export type Distribution = Schemas['Distribution'];
export type DistributeBody = Schemas['DistributeRewardsBody'];
export type Standing = Schemas['Standing'];

export const COMPETITION_STATUSES: CompetitionStatus[] = ['open', 'closed', 'cancelled'];
export const TEMPLATES: Template[] = ['winner_takes_all', 'top3', 'top5', 'top10'];
export const PAGE_SIZE = 20;
/** The API's largest page: the entrants list and "Fill from entrants" read it in one call. */
export const MAX_PAGE_SIZE = 100;

export const useCompetitions = (status: CompetitionStatus | '', page: number) =>
  api.useQuery('get', '/api/competitions', {
    params: { query: { page, limit: PAGE_SIZE, ...(status ? { status } : {}) } },
  });

export const useCompetition = (id: string) =>
  api.useQuery('get', '/api/competitions/{competition_id}', { params: { path: { competition_id: id } } });

export const useEntries = (id: string, enabled: boolean) =>
  api.useQuery(
    'get',
    '/api/competitions/{competition_id}/entries',
    { params: { path: { competition_id: id }, query: { page: 1, limit: MAX_PAGE_SIZE } } },
    { enabled },
  );

export const useOpenCompetition = () => api.useMutation('post', '/api/competitions');
export const useEnter = () => api.useMutation('post', '/api/competitions/{competition_id}/entry');
export const useFund = () => api.useMutation('post', '/api/competitions/{competition_id}/fund');
export const useRefund = () => api.useMutation('post', '/api/competitions/{competition_id}/refund');
export const usePreviewRewards = () => api.useMutation('post', '/api/matches/{match_id}/rewards/preview');
export const useDistributeRewards = () => api.useMutation('post', '/api/matches/{match_id}/rewards');

/** The query keys of one competition (its page and its entrants), to refresh after money moved. */
export function competitionKeys(id: string) {
  return [
    api.queryOptions('get', '/api/competitions/{competition_id}', { params: { path: { competition_id: id } } }).queryKey,
    ['get', '/api/competitions/{competition_id}/entries'],
    ['get', '/api/competitions'],
  ];
}
