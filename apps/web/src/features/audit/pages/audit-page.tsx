import { useQuery } from '@tanstack/react-query';
import { AUDIT_ACTIONS, type TAuditEvent, type TPage, type TUser } from '@huifang/shared';
import { Card, DatePicker, Descriptions, Drawer, Input, Select, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { fmtTime, TIME_ZONE } from '../../../lib/format.ts';
import i18n from '../../../app/i18n.ts';
import { can, useMe } from '../../auth/api.ts';
import { DiffView } from '../components/diff-view.tsx';
import { actorLabel, auditSummary } from '../audit-text.ts';

/** Object types with a label in the locales (the audit log's entity_type values). */
const ENTITY_TYPES = Object.keys((i18n.getResource('zh-CN', 'translation', 'entity') ?? {}) as Record<string, string>);
/** A picked calendar day, as an instant in the tenant's zone. */
const dayStart = (d: Dayjs | undefined) => (d ? dayjs.tz(d.format('YYYY-MM-DD'), TIME_ZONE).format() : undefined);
const dayEnd = (d: Dayjs | undefined) =>
  d ? dayjs.tz(d.format('YYYY-MM-DD'), TIME_ZONE).endOf('day').format() : undefined;

export function AuditPage() {
  const {
    t,
    i18n: { language },
  } = useTranslation();
  const me = useMe().data;
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const [f, setF] = useState<{
    action?: string;
    entityType?: string;
    actorId?: string;
    q?: string;
    range?: [Dayjs, Dayjs] | null;
  }>({});
  const [actorSearch, setActorSearch] = useState('');
  const [open, setOpen] = useState<TAuditEvent | null>(null);
  const query = {
    ...page,
    action: f.action,
    entityType: f.entityType,
    actorId: f.actorId,
    q: f.q,
    from: dayStart(f.range?.[0]),
    to: dayEnd(f.range?.[1]),
  };
  const { data, isFetching } = useQuery({
    queryKey: ['audit', query],
    queryFn: () => get<TPage<TAuditEvent>>(`/audit-events${qs(query)}`),
    placeholderData: (p) => p,
  });
  const actors = useQuery({
    queryKey: ['audit-actors', actorSearch],
    enabled: can(me, 'user:read'),
    queryFn: () => get<TPage<TUser>>(`/users${qs({ q: actorSearch, pageSize: 20 })}`).then((p) => p.items),
  });
  const set = (patch: Partial<typeof f>) => {
    setF((x) => ({ ...x, ...patch }));
    setPage((p) => ({ ...p, page: 1 }));
  };

  return (
    <Card title={t('audit.title')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <DatePicker.RangePicker value={f.range ?? null} onChange={(v) => set({ range: v as [Dayjs, Dayjs] | null })} />
        <Select
          placeholder={t('audit.action')}
          allowClear
          style={{ width: 150 }}
          value={f.action}
          onChange={(v?: string) => set({ action: v })}
          options={AUDIT_ACTIONS.map((a) => ({ value: a, label: t(`action.${a}`) }))}
        />
        <Select
          placeholder={t('audit.entityType')}
          allowClear
          style={{ width: 120 }}
          value={f.entityType}
          onChange={(v?: string) => set({ entityType: v })}
          options={ENTITY_TYPES.map((e) => ({ value: e, label: t(`entity.${e}`) }))}
        />
        <Select
          placeholder={t('audit.anyActor')}
          allowClear
          showSearch
          filterOption={false}
          onSearch={setActorSearch}
          style={{ width: 180 }}
          value={f.actorId}
          onChange={(v?: string) => set({ actorId: v })}
          options={(actors.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
        />
        <Input.Search
          placeholder={t('audit.summary')}
          allowClear
          onSearch={(v) => set({ q: v || undefined })}
          style={{ width: 200 }}
        />
      </Space>
      <Table<TAuditEvent>
        rowKey="id"
        size="middle"
        loading={isFetching}
        dataSource={data?.items}
        onRow={(r) => ({ onClick: () => setOpen(r), style: { cursor: 'pointer' } })}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { n }),
          onChange: (p, ps) => setPage({ page: p, pageSize: ps }),
        }}
        columns={[
          { title: t('audit.at'), dataIndex: 'at', width: 180, render: fmtTime },
          { title: t('audit.actor'), dataIndex: 'actorName', render: (v: string | null) => actorLabel(v, t) },
          {
            title: t('audit.action'),
            dataIndex: 'action',
            render: (v: string) => t(`action.${v}`, { defaultValue: v }),
          },
          {
            title: t('audit.entity'),
            dataIndex: 'entityType',
            render: (v: string) => t(`entity.${v}`, { defaultValue: v }),
          },
          {
            title: t('audit.summary'),
            dataIndex: 'summary',
            ellipsis: true,
            render: (_: unknown, r: TAuditEvent) => auditSummary(r, t, language),
          },
          { title: t('audit.ip'), dataIndex: 'ip', width: 130, render: (v: string | null) => v ?? '—' },
        ]}
      />
      <Drawer open={!!open} width={760} title={t('audit.detail')} onClose={() => setOpen(null)}>
        {open && (
          <>
            <Descriptions column={2} size="small" bordered>
              <Descriptions.Item label={t('audit.at')}>{fmtTime(open.at)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.actor')}>{actorLabel(open.actorName, t)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.action')}>
                {t(`action.${open.action}`, { defaultValue: open.action })}
              </Descriptions.Item>
              <Descriptions.Item label={t('audit.ip')}>{open.ip ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('audit.summary')} span={2}>
                {auditSummary(open, t, language)}
              </Descriptions.Item>
              <Descriptions.Item label={t('audit.requestId')} span={2}>
                <Typography.Text copyable code>
                  {open.requestId ?? '—'}
                </Typography.Text>
              </Descriptions.Item>
            </Descriptions>
            <DiffView before={open.before} after={open.after} />
          </>
        )}
      </Drawer>
    </Card>
  );
}
