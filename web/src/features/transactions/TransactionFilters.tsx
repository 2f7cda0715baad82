import type { ReactNode } from 'react';
import type { TransactionStatus, TransactionType } from '@/lib/api/types';
import type { TransactionFilterValues } from './api';
import { STATUS_LABELS, TRANSACTION_STATUSES, TRANSACTION_TYPES, TYPE_LABELS } from './labels';

interface Props {
  value: TransactionFilterValues;
  onChange: (next: TransactionFilterValues) => void;
  /** More filter fields (the admin's "User ID"). */
  children?: ReactNode;
}

/** Selects "Type" and "Status" (option values are the API's; first option "All"). */
export function TransactionFilters({ value, onChange, children }: Props) {
  return (
    <div className="filters" role="group" aria-label="Filters">
      <div className="field">
        <label htmlFor="tx-filter-type">Type</label>
        <select
          id="tx-filter-type"
          value={value.type}
          onChange={(event) => onChange({ ...value, type: event.target.value as TransactionType | '' })}
        >
          <option value="">All</option>
          {TRANSACTION_TYPES.map((type) => (
            <option key={type} value={type}>
              {TYPE_LABELS[type]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="tx-filter-status">Status</label>
        <select
          id="tx-filter-status"
          value={value.status}
          onChange={(event) => onChange({ ...value, status: event.target.value as TransactionStatus | '' })}
        >
          <option value="">All</option>
          {TRANSACTION_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      {children}
    </div>
  );
}
