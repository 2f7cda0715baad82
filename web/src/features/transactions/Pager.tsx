import type { Pagination } from '@/lib/api/types';

/** "Previous page" / "Next page" with "Page n of m". */
export function Pager({ pagination, onPage }: { pagination: Pagination | undefined; onPage: (page: number) => void }) {
  const page = pagination?.page ?? 1;
  const pages = Math.max(pagination?.pages ?? 1, 1);
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span aria-live="polite">
        Page {page} of {pages}
        {pagination ? ` (${pagination.total} in all)` : ''}
      </span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </div>
  );
}
