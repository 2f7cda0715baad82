import type { Role } from '@/lib/api/types';

/** Where `/` leads a signed-in user. */
export function homePathFor(role: Role): string {
  return role === 'admin' ? '/admin/payouts' : '/wallet';
}
