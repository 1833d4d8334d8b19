import type { TPathExplain } from '@huifang/shared';
import { Alert, Descriptions, Empty, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useMethods } from '../api.ts';
import { useExplain, useRecentRecords } from '../paths-api.ts';

/** Pick a recent service record of the caller's scope (type · customer · time · the template it got). */
export function RecordPicker(props: { value: string | null; onChange: (id: string | null) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const recs = useRecentRecords(q);
  return (
    <Select
      showSearch
      allowClear
      filterOption={false}
      onSearch={setQ}
      style={{ width: 460 }}
      placeholder={t('paths.explain.pickRecord')}
      value={props.value ?? undefined}
      onChange={(v?: string) => props.onChange(v ?? null)}
      loading={recs.isFetching}
      data-testid="paths-record-picker"
      options={(recs.data ?? []).map((r) => ({
        value: r.id,
        label: `${r.serviceTypeName} · ${r.customerName} · ${fmtTime(r.occurredAt).slice(0, 16)}${r.templateName ? ` · ${r.templateName}` : ''}`,
      }))}
    />
  );
}

/** "Which template would this record get and why", and the tasks (points) it gets — or, with templateId, a preview. */
export function ExplainView(props: { serviceRecordId: string | null; templateId?: string }) {
  const { t } = useTranslation();
  const ex = useExplain(props.serviceRecordId, props.templateId);
  const methods = new Map((useMethods().data ?? []).map((m) => [m.code, m.label]));
  if (!props.serviceRecordId) return <Empty description={t('paths.explain.pickRecord')} />;
  const e: TPathExplain | undefined = ex.data;
  if (!e) return null;
  const chosen = e.candidates.find((c) => c.templateId === e.templateId);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="paths-explain">
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label={t('paths.explain.record')}>
          {e.serviceTypeName} · {fmtTime(e.occurredAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t('paths.explain.result')}>
          {e.templateId ? (
            <span data-testid="paths-explain-winner">
              {chosen?.name ?? e.templateId} · v{e.version}{' '}
              {e.isInstantiated ? (
                <Tag color="green">{t('paths.explain.instantiated')}</Tag>
              ) : (
                <Tag>{props.templateId ? t('paths.explain.preview') : t('paths.explain.wouldGet')}</Tag>
              )}
            </span>
          ) : (
            <Tag data-testid="paths-explain-winner">{t('paths.explain.none')}</Tag>
          )}
        </Descriptions.Item>
      </Descriptions>
      {!props.templateId && (
        <Table
          size="small"
          rowKey="templateId"
          pagination={false}
          dataSource={e.candidates}
          title={() => t('paths.explain.candidates')}
          columns={[
            {
              title: t('paths.name'),
              dataIndex: 'name',
              render: (v: string, c) => (c.templateId === e.templateId ? <b>{v}</b> : v),
            },
            { title: t('paths.explain.score'), dataIndex: 'score' },
            {
              title: t('paths.explain.matchedRules'),
              dataIndex: 'matchedRules',
              render: (v: number[]) => (v.length ? v.map((i) => `#${i + 1}`).join(', ') : '—'),
            },
            {
              title: t('paths.explain.verdict'),
              render: (_: unknown, c) =>
                c.excluded ? (
                  <Tag color="red">{t('paths.explain.excluded')}</Tag>
                ) : c.status !== 'active' ? (
                  <Tag>{t(`paths.status.${c.status}`)}</Tag>
                ) : c.planStatus !== 'active' ? (
                  <Tag>{t('paths.explain.planInactive')}</Tag>
                ) : c.score <= 0 ? (
                  <Tag>{t('paths.explain.noMatch')}</Tag>
                ) : (
                  <Tag color={c.templateId === e.templateId ? 'green' : 'blue'}>
                    {c.templateId === e.templateId ? t('paths.explain.winner') : t('paths.explain.eligible')}
                  </Tag>
                ),
            },
          ]}
        />
      )}
      {!props.templateId && <Alert type="info" showIcon message={t('paths.explain.order')} />}
      <Table
        size="small"
        rowKey="no"
        pagination={false}
        dataSource={e.points}
        title={() => t('paths.explain.points')}
        data-testid="paths-explain-points"
        columns={[
          { title: '#', dataIndex: 'no', width: 40 },
          { title: t('paths.point.label'), dataIndex: 'label' },
          { title: t('paths.point.method'), dataIndex: 'method', render: (v: string) => methods.get(v) ?? v },
          { title: t('paths.explain.anchorDate'), dataIndex: 'anchorDate', render: (v: string | null) => v ?? '—' },
          {
            title: t('paths.explain.window'),
            render: (_: unknown, p) => (p.dueFromDate ? `${p.dueFromDate} ~ ${p.dueUntilDate}` : '—'),
          },
          {
            title: t('paths.explain.task'),
            render: (_: unknown, p) =>
              p.taskId ? (
                <Tag color="green">{t(`followup.states.${p.taskState ?? 'pending'}`)}</Tag>
              ) : p.noTaskReason ? (
                <Tag color="orange">{t(`paths.noTask.${p.noTaskReason}`)}</Tag>
              ) : (
                <Tag color="blue">{t('paths.explain.willCreate')}</Tag>
              ),
          },
        ]}
      />
    </Space>
  );
}
