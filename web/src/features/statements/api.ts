import type { DownloadedFile } from '@/components/DownloadButton';
import { api, fetchClient } from '@/lib/api/client';
import type { Statement, TaxStatement } from '@/lib/api/types';
import { attachmentName } from '@/lib/download';

export interface Period {
  from: string;
  to: string;
}

export type FileFormat = 'csv' | 'pdf';

/** GET /api/wallet/statement (JSON) for a period of whole days. */
export function useStatement(period: Period | null) {
  return api.useQuery(
    'get',
    '/api/wallet/statement',
    { params: { query: { from: period?.from ?? '', to: period?.to ?? '', format: 'json' } } },
    { enabled: period !== null, select: (reply): Statement | null => (typeof reply === 'string' ? null : reply.data) },
  );
}

/** GET /api/wallet/tax-statement (JSON) of a financial year. */
export function useTaxStatement(fy: string) {
  return api.useQuery(
    'get',
    '/api/wallet/tax-statement',
    { params: { query: { fy, format: 'json' } } },
    { select: (reply): TaxStatement | null => (typeof reply === 'string' ? null : reply.data) },
  );
}

async function asFile(
  request: Promise<{ data?: Blob; error?: unknown; response: Response }>,
  fallback: string,
): Promise<DownloadedFile> {
  const { data, error, response } = await request;
  if (!data) throw error ?? new Error('No file');
  return { blob: data, filename: attachmentName(response.headers.get('Content-Disposition'), fallback) };
}

export function fetchStatementFile(period: Period, format: FileFormat): Promise<DownloadedFile> {
  return asFile(
    fetchClient.GET('/api/wallet/statement', {
      params: { query: { ...period, format } },
      parseAs: 'blob',
    }),
    `winzone-statement-${period.from}-${period.to}.${format}`,
  );
}

export function fetchTaxStatementFile(fy: string, format: FileFormat): Promise<DownloadedFile> {
  return asFile(
    fetchClient.GET('/api/wallet/tax-statement', { params: { query: { fy, format } }, parseAs: 'blob' }),
    `winzone-tax-statement-${fy}.${format}`,
  );
}

export type { Statement, TaxStatement };
