import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TSavedFilter } from '@huifang/shared';
import { App, Button, Checkbox, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';

/** Pick a saved filter (own or shared), or save the current one under a name. */
export function SavedFilters(props: {
  current: Record<string, string | undefined>;
  canSave: boolean;
  onApply: (filter: Record<string, string>) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['saved-filters'],
    queryFn: () => get<{ items: TSavedFilter[] }>('/saved-filters').then((r) => r.items),
  });
  const [picked, setPicked] = useState<string | undefined>();
  const active = Object.fromEntries(Object.entries(props.current).filter((e): e is [string, string] => !!e[1]));

  const save = () => {
    let name = '';
    let isShared = false;
    modal.confirm({
      title: t('customer.saveFilter'),
      content: (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input autoFocus placeholder={t('common.name')} onChange={(e) => (name = e.target.value)} />
          <Checkbox onChange={(e) => (isShared = e.target.checked)}>{t('customer.shareFilter')}</Checkbox>
        </Space>
      ),
      onOk: async () => {
        try {
          await post('/saved-filters', { name, filter: active, isShared });
          await qc.invalidateQueries({ queryKey: ['saved-filters'] });
          void message.success(t('common.saved'));
        } catch (e) {
          void message.error(errorText(e, i18n.language));
          throw e;
        }
      },
    });
  };

  return (
    <Space.Compact>
      <Select
        placeholder={t('customer.savedFilters')}
        allowClear
        style={{ width: 160 }}
        value={picked}
        options={(list.data ?? []).map((f) => ({
          value: f.id,
          label: f.isShared && !f.isMine ? `${f.name} · ${t('customer.shared')}` : f.name,
        }))}
        onChange={(id?: string) => {
          setPicked(id);
          const f = list.data?.find((x) => x.id === id);
          props.onApply(f?.filter ?? {});
        }}
      />
      {props.canSave && (
        <Button disabled={Object.keys(active).length === 0} onClick={save}>
          {t('customer.saveFilter')}
        </Button>
      )}
    </Space.Compact>
  );
}
