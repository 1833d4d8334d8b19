import { VALUE_RUN_DETAILS_KEPT, type TValueRun } from '@huifang/shared';
import { App, Button, Descriptions, Modal, Progress, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { compareRuns, useStartRun, useValueRuns, type TRunComparison } from '../api.ts';

const STATUS_COLOR = { queued: 'default', running: 'processing', done: 'success', failed: 'error' } as const;

/** Recompute on demand with a progress bar; each run kept (who, when, model version, counts); compare two runs. */
/** `tierLabels`: the current model's tier names by key (a key an older model had and this one lacks shows as is). */
export function RunsPanel(props: {
  canManage: boolean;
  scheduleDay: number | null;
  tierLabels: Record<string, string>;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const runs = useValueRuns();
  const start = useStartRun();
  const [cmp, setCmp] = useState<TRunComparison | null>(null);
  const items = runs.data ?? [];
  const active = items.find((r) => r.status === 'queued' || r.status === 'running');
  const done = items.filter((r) => r.status === 'done');
  const pct = (r: TValueRun) => (r.total ? Math.round((r.processed * 100) / r.total) : 0);

  return (
    <>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space>
          {props.canManage && (
            <Button
              type="primary"
              data-testid="value-recompute"
              loading={start.isPending}
              disabled={!!active}
              onClick={() =>
                start.mutate(undefined, { onError: (e) => void message.error(errorText(e, i18n.language)) })
              }
            >
              {t('value.recompute')}
            </Button>
          )}
          <Typography.Text type="secondary">
            {props.scheduleDay ? t('value.recomputeHint', { day: props.scheduleDay }) : t('value.noSchedule')}
          </Typography.Text>
        </Space>
        {active && <Progress percent={pct(active)} status="active" data-testid="value-progress" />}
      </Space>
      <Table<TValueRun>
        style={{ marginTop: 16 }}
        rowKey="id"
        size="small"
        loading={runs.isLoading}
        dataSource={items}
        pagination={false}
        data-testid="value-runs"
        columns={[
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: fmtTime },
          {
            title: t('value.status.done'),
            dataIndex: 'status',
            render: (s: TValueRun['status'], r) => (
              <>
                <Tag color={STATUS_COLOR[s]} data-testid={`value-run-status-${r.id}`}>
                  {t(`value.status.${s}`)}
                  {s === 'running' ? ` ${pct(r)}%` : ''}
                </Tag>
                {r.detailsPrunedAt && (
                  <Tooltip title={t('value.detailsPrunedTip', { n: VALUE_RUN_DETAILS_KEPT })}>
                    <Tag data-testid={`value-run-pruned-${r.id}`}>{t('value.detailsPruned')}</Tag>
                  </Tooltip>
                )}
              </>
            ),
          },
          { title: 'v', dataIndex: 'modelVersion' },
          { title: t('value.trigger.manual'), dataIndex: 'trigger', render: (x: string) => t(`value.trigger.${x}`) },
          { title: t('value.requestedBy'), dataIndex: 'requestedByName', render: (x: string | null) => x ?? '—' },
          { title: t('value.customers'), dataIndex: 'total' },
          {
            title: t('value.tier'),
            render: (_v, r) =>
              Object.entries(r.counts.tier ?? {})
                .filter(([k]) => k !== '-')
                .map(([k, n]) => `${props.tierLabels[k] ?? k} ${n}`)
                .join(' · '),
          },
          {
            render: (_v, r) => {
              const prev = done[done.findIndex((d) => d.id === r.id) + 1];
              return r.status === 'done' && prev && !r.detailsPrunedAt && !prev.detailsPrunedAt ? (
                <Button
                  type="link"
                  onClick={() =>
                    void compareRuns(prev.id, r.id)
                      .then(setCmp)
                      .catch((e: unknown) => void message.error(errorText(e, i18n.language)))
                  }
                >
                  {t('value.compare')}
                </Button>
              ) : null;
            },
          },
        ]}
      />
      <Modal open={!!cmp} title={t('value.compareTitle')} footer={null} onCancel={() => setCmp(null)}>
        {cmp && (
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('value.customers')}>{cmp.customers}</Descriptions.Item>
            {(['tier', 'stars', 'score'] as const).map((d) => (
              <Descriptions.Item key={d} label={t(`value.${d}Dim`)}>
                {t('value.up')} {cmp[d].up} · {t('value.down')} {cmp[d].down} · {t('value.same')} {cmp[d].same}
              </Descriptions.Item>
            ))}
            <Descriptions.Item label={t('value.classChanged')}>{cmp.classChanged}</Descriptions.Item>
          </Descriptions>
        )}
      </Modal>
    </>
  );
}
