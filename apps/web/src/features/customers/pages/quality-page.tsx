import { useQuery, useQueryClient } from '@tanstack/react-query';
import { DQ_FIELDS, type TDataQualitySettings, type TDataQualitySummary, type TDuplicateGroup } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  List,
  Popconfirm,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, post, api } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { useCustomFields } from '../api.ts';

/** 数据质量: validity, completeness, invalid phones, duplicates with merge, and the 有效客户 rule. */
export function QualityPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const defs = useCustomFields().data ?? [];
  const summary = useQuery({
    queryKey: ['dq', 'summary'],
    queryFn: () => get<TDataQualitySummary>('/data-quality/summary'),
  });
  const dups = useQuery({
    queryKey: ['dq', 'dups'],
    queryFn: () => get<{ items: TDuplicateGroup[] }>('/data-quality/duplicates').then((r) => r.items),
  });
  const settings = useQuery({
    queryKey: ['dq', 'settings'],
    queryFn: () => get<TDataQualitySettings>('/data-quality/settings'),
  });
  const [draft, setDraft] = useState<TDataQualitySettings | null>(null);
  useEffect(() => setDraft(settings.data ?? null), [settings.data]);
  const fieldLabel = (f: string) =>
    f.startsWith('custom.')
      ? (defs.find((d) => `custom.${d.key}` === f)?.label ?? f)
      : t(`dqField.${f}`, { defaultValue: f });
  const options = [...DQ_FIELDS, ...defs.map((d) => `custom.${d.key}`)].map((f) => ({
    value: f,
    label: fieldLabel(f),
  }));
  const canSettings = can(me, 'settings:write');

  const merge = async (g: TDuplicateGroup) => {
    const [keep, ...rest] = [...g.customers].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    try {
      await post('/customers/merge', { keepId: keep!.id, mergeIds: rest.map((r) => r.id) });
      void message.success(t('dq.merged'));
      await qc.invalidateQueries({ queryKey: ['dq'] });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  const saveSettings = async () => {
    try {
      await api('PUT', '/data-quality/settings', draft);
      void message.success(t('common.saved'));
      await qc.invalidateQueries({ queryKey: ['dq'] });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  const s = summary.data;
  if (!s) return <Skeleton active />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Row gutter={16}>
        {(
          [
            ['dq.total', s.total],
            ['dq.valid', s.valid],
            ['dq.invalidPhones', s.invalidPhones],
            ['dq.avgCompleteness', s.avgCompleteness],
            ['dq.duplicateGroups', s.duplicateGroups],
          ] as const
        ).map(([k, v]) => (
          <Col key={k} xs={12} lg={Math.floor(24 / 5)}>
            <Card>
              <Statistic title={t(k)} value={v} suffix={k === 'dq.avgCompleteness' ? '%' : undefined} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={16}>
        <Col xs={24} lg={16}>
          <Card title={t('dq.toFix')}>
            <Table
              size="small"
              rowKey="id"
              dataSource={s.toFix}
              pagination={{ pageSize: 10 }}
              columns={[
                {
                  title: t('customer.name'),
                  dataIndex: 'name',
                  render: (v: string, r) => <Link to={`/customers/${r.id}`}>{v}</Link>,
                },
                { title: t('common.unit'), dataIndex: 'unitName' },
                { title: t('dq.completeness'), dataIndex: 'completeness', render: (v: number) => `${v}%` },
                {
                  title: t('dq.valid'),
                  dataIndex: 'isValid',
                  render: (v: boolean) => <Tag color={v ? 'green' : 'red'}>{v ? t('common.yes') : t('common.no')}</Tag>,
                },
                {
                  title: t('dq.missing'),
                  dataIndex: 'missing',
                  render: (m: string[]) => m.map((f) => <Tag key={f}>{fieldLabel(f)}</Tag>),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('dq.missingByField')}>
            <List
              size="small"
              dataSource={s.missing}
              renderItem={(m) => (
                <List.Item>
                  <span>{fieldLabel(m.field)}</span>
                  <Typography.Text type={m.count ? 'danger' : 'secondary'}>{m.count}</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
      <Card title={t('dq.duplicates')}>
        <List
          dataSource={dups.data ?? []}
          locale={{ emptyText: t('dq.noDuplicates') }}
          renderItem={(g) => (
            <List.Item
              actions={
                can(me, 'customer:write')
                  ? [
                      <Popconfirm key="m" title={t('dq.mergeConfirm')} onConfirm={() => void merge(g)}>
                        <Button size="small">{t('dq.merge')}</Button>
                      </Popconfirm>,
                    ]
                  : []
              }
            >
              <List.Item.Meta
                title={
                  <Space>
                    <Tag color="orange">{t(`dq.${g.reason}`)}</Tag>
                    {g.key}
                  </Space>
                }
                description={g.customers.map((c) => (
                  <div key={c.id}>
                    <Link to={`/customers/${c.id}`}>{c.name}</Link> · {c.phones.join(', ')} · {c.address ?? '—'} ·{' '}
                    {c.unitName} · {fmtTime(c.createdAt)}
                  </div>
                ))}
              />
            </List.Item>
          )}
        />
      </Card>
      {draft && (
        <Card
          title={t('dq.rules')}
          extra={
            canSettings && (
              <Button type="primary" onClick={() => void saveSettings()}>
                {t('common.save')}
              </Button>
            )
          }
        >
          <Typography.Title level={5}>{t('dq.validRule')}</Typography.Title>
          <Checkbox.Group
            disabled={!canSettings}
            options={options}
            value={draft.validRequired}
            onChange={(v) => setDraft({ ...draft, validRequired: v as string[] })}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('dq.completenessFields')}
          </Typography.Title>
          <Checkbox.Group
            disabled={!canSettings}
            options={options}
            value={draft.completenessFields}
            onChange={(v) => setDraft({ ...draft, completenessFields: v as string[] })}
          />
        </Card>
      )}
    </Space>
  );
}
