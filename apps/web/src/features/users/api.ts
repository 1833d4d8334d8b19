import { useQuery } from '@tanstack/react-query';
import type { TPage, TRole } from '@huifang/shared';
import { get } from '../../api/client.ts';

export const USERS_KEY = ['users'] as const;
export const ROLES_KEY = ['roles'] as const;

export const useRoles = () =>
  useQuery({ queryKey: ROLES_KEY, queryFn: () => get<TPage<TRole>>('/roles?pageSize=100').then((p) => p.items) });

/** Read a picked image as a data URL (sent as `photo`). */
export const readAsDataUrl = (file: Blob) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
