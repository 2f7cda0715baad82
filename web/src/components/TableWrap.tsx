import type { ReactNode } from 'react';

/** A horizontally scrollable table container that keyboard users can focus and scroll (axe: scrollable-region-focusable). */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
