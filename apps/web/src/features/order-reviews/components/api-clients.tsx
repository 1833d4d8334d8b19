import type { TApiClient } from '@huifang/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';

/** 开放接口密钥: keys for shops that collect reviews elsewhere (POST /api/shop-api/…); a key is shown once. */
export function ApiClients() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['api-clients'], queryFn: () => get<{ items: TApiClient[] }>('/api-clients') });
  const units = useUnits().data;
  const treeData = useMemo(() => buildTree(units ?? []), [units]);
  const [unitId, setUnitId] = useState<string>();
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const admin = can(me, 'settings:write');
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['api-clients'] });
    } catch (e) {
      setError(errorText(e, i18n.language));
    }
  };
  return (
    <>
      {admin && (
        <Space wrap style={{ marginBottom: 16 }}>
          <TreeSelect
            placeholder={t('orderReview.shop')}
            style={{ width: 220 }}
            treeData={treeData}
            treeDefaultExpandAll
            value={unitId}
            onChange={(v: string) => setUnitId(v)}
          />
          <Input
            placeholder={t('orderReview.apiName')}
            style={{ width: 200 }}
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.target.value)}
          />
          <Button
            type="primary"
            disabled={!unitId || !name.trim()}
            onClick={() =>
              void run(async () => setKey((await post<{ key: string }>('/api-clients', { unitId, name })).key))
            }
          >
            {t('orderReview.apiCreate')}
          </Button>
        </Space>
      )}
      {key && (
        <Alert
          type="success"
          style={{ marginBottom: 16 }}
          message={t('orderReview.apiKeyOnce')}
          description={
            <Typography.Text copyable code>
              {key}
            </Typography.Text>
          }
        />
      )}
      {error && <Alert type="error" style={{ marginBottom: 16 }} message={error} />}
      <Typography.Paragraph type="secondary">{t('orderReview.apiHelp')}</Typography.Paragraph>
      <Table<TApiClient>
        rowKey="id"
        size="middle"
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('orderReview.apiName'), dataIndex: 'name' },
          { title: t('orderReview.shop'), dataIndex: 'unitName' },
          { title: t('orderReview.apiPrefix'), dataIndex: 'keyPrefix', render: (v: string) => <code>{v}…</code> },
          { title: t('orderReview.apiCreatedAt'), dataIndex: 'createdAt', render: fmtTime },
          {
            title: '',
            key: 'state',
            render: (_: unknown, c) =>
              c.revokedAt ? (
                <Tag>{t('orderReview.apiRevoked')}</Tag>
              ) : (
                admin && (
                  <Button size="small" danger onClick={() => void run(() => post(`/api-clients/${c.id}/revoke`))}>
                    {t('orderReview.apiRevoke')}
                  </Button>
                )
              ),
          },
        ]}
      />
    </>
  );
}
