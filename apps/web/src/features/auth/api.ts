import { useQuery } from '@tanstack/react-query';
import type { TChangePasswordInput, TLoginInput, TMe, TPermission } from '@huifang/shared';
import { ApiError, get, post, setCsrfToken } from '../../api/client.ts';

export const ME_KEY = ['me'] as const;

async function fetchMe(): Promise<TMe | null> {
  try {
    const me = await get<TMe>('/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** The logged-in user, or null. */
export const useMe = () => useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });

export async function login(input: TLoginInput): Promise<TMe> {
  const me = await post<TMe>('/auth/login', input);
  setCsrfToken(me.csrfToken);
  return me;
}

export async function logout(): Promise<void> {
  await post('/auth/logout').catch(() => undefined);
  setCsrfToken(null);
}

export async function changePassword(input: TChangePasswordInput): Promise<TMe> {
  const me = await post<TMe>('/auth/password', input);
  setCsrfToken(me.csrfToken);
  return me;
}

export const can = (me: TMe | null | undefined, p: TPermission) => !!me?.permissions.includes(p);
