/** Pieces the admin "All transactions" page reuses. */
export { TransactionFilters } from './TransactionFilters';
export { TransactionsTable, transactionPath } from './TransactionsTable';
export { ExportCsvButton } from './ExportCsvButton';
export { Pager } from './Pager';
export { useFilterParams } from './useFilterParams';
export { filterQuery, PAGE_SIZE, type TransactionFilterValues } from './api';
export { fetchAllTransactions, transactionsCsv, type PageFetcher } from './csv';
export { TYPE_LABELS, STATUS_LABELS, typeLabel, statusLabel } from './labels';
export { FUND_LABELS, FUND_NAMES, fundLabel, fundText, type FundName } from './funds';
