import { api } from '@/lib/api/client';

export function useLogin() {
  return api.useMutation('post', '/api/auth/login');
}

export function useRegister() {
  return api.useMutation('post', '/api/auth/register');
}
