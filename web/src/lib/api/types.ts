import type { components } from './schema';

type Schemas = components['schemas'];

export type User = Schemas['User'];
export type Role = User['role'];
export type Wallet = Schemas['Wallet'];
export type Transaction = Schemas['Transaction'];
export type TransactionType = Transaction['type'];
export type TransactionStatus = Transaction['status'];
export type PayoutRequest = Schemas['PayoutRequest'];
export type Pagination = Schemas['Pagination'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];
export type Currency = Transaction['currency'];
export type Funds = Schemas['Funds'];
export type BonusGrant = Schemas['BonusGrant'];
export type Statement = Schemas['Statement'];
export type TaxStatement = Schemas['TaxStatement'];
export type TdsReport = Schemas['TdsReport'];
export type TdsEstimate = Schemas['TdsEstimate'];
