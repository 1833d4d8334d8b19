import { useQuery } from '@tanstack/react-query';
import type { TCustomFieldDef, TPiiField } from '@huifang/shared';
import { get, post } from '../../api/client.ts';

export const CUSTOMERS_KEY = ['customers'] as const;

export const useDictionary = (dict: 'intent_level' | 'customer_source' | 'tier' | 'lifecycle_stage') =>
  useQuery({
    queryKey: ['dict', dict],
    queryFn: () => get<{ items: { code: string; label: string }[] }>(`/dictionaries/${dict}`).then((r) => r.items),
    staleTime: 300_000,
  });

export const useCustomFields = () =>
  useQuery({
    queryKey: ['custom-fields', 'customer'],
    queryFn: () => get<{ items: TCustomFieldDef[] }>('/custom-fields?entity=customer').then((r) => r.items),
    staleTime: 60_000,
  });

/** Reveal one personal field in clear (audited on the server). */
export const reveal = (customerId: string, field: TPiiField, index = 0) =>
  post<{ field: string; value: string | null }>(`/customers/${customerId}/reveal`, { field, index }).then(
    (r) => r.value,
  );
