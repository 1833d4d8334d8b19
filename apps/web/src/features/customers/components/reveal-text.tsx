import { EyeOutlined } from '@ant-design/icons';
import type { TPiiField } from '@huifang/shared';
import { App, Button, Space, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { reveal } from '../api.ts';

/** A masked value with an eye button for users holding pii:reveal; each click is one audited reveal. */
export function RevealText(props: { customerId: string; field: TPiiField; index?: number; masked: string | null }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const [clear, setClear] = useState<string | null>(null);
  if (!props.masked) return <>—</>;
  if (clear !== null) return <span data-testid={`revealed-${props.field}`}>{clear}</span>;
  return (
    <Space size={4}>
      <span>{props.masked}</span>
      {can(me, 'pii:reveal') && (
        <Tooltip title={t('customer.reveal')}>
          <Button
            size="small"
            type="text"
            icon={<EyeOutlined />}
            aria-label={t('customer.reveal')}
            data-testid={`reveal-${props.field}`}
            onClick={async (e) => {
              e.stopPropagation();
              try {
                setClear((await reveal(props.customerId, props.field, props.index)) ?? '');
              } catch (err) {
                void message.error(errorText(err, i18n.language));
              }
            }}
          />
        </Tooltip>
      )}
    </Space>
  );
}
