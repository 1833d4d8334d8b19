import { useQuery } from '@tanstack/react-query';
import type { TCustomer, TPage } from '@huifang/shared';
import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';

/** Optional: who is being served (name or phone fragment), among the customers the teller may see. */
export function CustomerPick({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (id: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const id = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(id);
  }, [text]);
  const found = useQuery({
    queryKey: ['counter', 'customers', q],
    queryFn: () => get<TPage<TCustomer>>(`/customers${qs({ q, pageSize: 10 })}`),
    enabled: q.length >= 1,
  });
  return (
    <Select
      allowClear
      showSearch
      filterOption={false}
      style={{ width: 220 }}
      placeholder={t('counter.customer')}
      value={value}
      onSearch={setText}
      onChange={(v: string | undefined) => onChange(v)}
      loading={found.isFetching}
      notFoundContent={null}
      options={(found.data?.items ?? []).map((c) => ({
        value: c.id,
        label: `${c.name}${c.phones[0] ? ` ${c.phones[0]}` : ''}`,
      }))}
    />
  );
}
