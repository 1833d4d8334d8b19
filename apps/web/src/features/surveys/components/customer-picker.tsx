import type { TCustomer, TPage } from '@huifang/shared';
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';

/** Pick customers in the user's scope by name or phone fragment. */
export function CustomerPicker({
  value,
  onChange,
  multiple,
  testId,
}: {
  value?: string | string[];
  onChange?: (v: string | string[]) => void;
  multiple?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['customers', 'pick', q],
    queryFn: () => get<TPage<TCustomer>>(`/customers${qs({ q: q || undefined, pageSize: 20 })}`),
  });
  return (
    <Select
      data-testid={testId}
      mode={multiple ? 'multiple' : undefined}
      showSearch={{ filterOption: false, onSearch: setQ }}
      value={value}
      onChange={onChange}
      placeholder={t('survey.pickCustomer')}
      style={{ width: '100%' }}
      loading={found.isFetching}
      options={(found.data?.items ?? []).map((c) => ({
        value: c.id,
        label: `${c.name}${c.phones[0] ? ` ${c.phones[0]}` : ''}`,
      }))}
    />
  );
}
