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
