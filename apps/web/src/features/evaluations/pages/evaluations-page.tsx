import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  EVALUATION_CHANNELS,
  EVALUATION_FLAGS,
  EVALUATION_SENTIMENTS,
  UNCLASSIFIED_VALUE,
  type TEvaluation,
  type TValueConfig,
} from '@huifang/shared';
import { Button, Card, DatePicker, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { get, qs } from '../../../api/client.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { fmtTime, TIME_ZONE } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits, type TUnitNode } from '../../org/api.ts';
import { useEvaluationStream, type TEvaluationFilters } from '../api.ts';
import { EvaluationDrawer } from '../components/evaluation-drawer.tsx';
import { ScoreTag, StateTags } from '../components/evaluation-tags.tsx';

const FILTER_KEYS = [
  'channel',
  'unitId',
  'counterId',
  'staffId',
  'customerId',
  'score',
  'flag',
  'excluded',
  'appeal',
  'sentiment',
  'from',
  'to',
  'tier',
  'lifecycle',
  'ruleClass',
] as const;
/** 统计分析's customer-value drill-down (客户分级 of the latest value run): shown as closable tags. */
const VALUE_KEYS = ['tier', 'lifecycle', 'ruleClass'] as const;
/** `from`/`to` in the URL: local days (YYYY-MM-DD, the server reads them in the tenant's zone) or instants. */
const asDay = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? dayjs(v) : dayjs(v).tz(TIME_ZONE));
/** Only counters 窗口 are selectable in the counter picker. */
const countersOnly = (nodes: TUnitNode[]): TUnitNode[] =>
  nodes.map((n) => ({ ...n, disabled: n.unit.type !== 'counter', children: countersOnly(n.children) }));

/** 评价记录: every channel in one stream, newest first; filters live in the URL so other pages can link here. */
export function EvaluationsPage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  // ?open=<id> (a notification's link) opens that evaluation's drawer — also when the page is already shown.
  const linked = params.get('open');
  const [open, setOpen] = useState<string | null>(linked);
  useEffect(() => {
    if (linked) setOpen(linked);
  }, [linked]);
  const close = () => {
    setOpen(null);
    if (params.has('open')) {
      const next = new URLSearchParams(params);
      next.delete('open');
      setParams(next, { replace: true });
    }
  };
  const filters = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined]).filter(([, v]) => v !== undefined),
  ) as TEvaluationFilters;
  const stream = useEvaluationStream(filters);
  const items = useMemo(() => stream.data?.pages.flatMap((p) => p.items) ?? [], [stream.data]);
  // The value drill-down's keys as the model names them (大客户, not large); the model is read only when one is set.
  const valueConfig = useQuery({
    queryKey: ['value-config'],
    enabled: VALUE_KEYS.some((k) => filters[k]) && can(me, 'customer:read'),
    queryFn: () => get<{ version: number; config: TValueConfig }>('/value/config').then((r) => r.config),
  });
  const valueLabel = (k: (typeof VALUE_KEYS)[number], v: string) =>
    v === UNCLASSIFIED_VALUE
      ? t('evaluation.valueCut.unclassified')
      : k === 'lifecycle'
        ? t(`evaluation.valueCut.lifecycles.${v}`, { defaultValue: v })
        : ((k === 'tier' ? valueConfig.data?.percentile.cuts : valueConfig.data?.ruleClasses.classes)?.find(
            (c) => c.key === v,
          )?.label ?? v);
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const counterTree = useMemo(() => countersOnly(tree), [tree]);
  const set = (k: (typeof FILTER_KEYS)[number], v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const range: [Dayjs, Dayjs] | null = filters.from && filters.to ? [asDay(filters.from), asDay(filters.to)] : null;
  const state =
    filters.appeal === 'open'
      ? 'appeal'
      : filters.excluded === 'true'
        ? 'excluded'
        : filters.excluded === 'false'
          ? 'counted'
          : undefined;

  return (
    <Card
      title={t('evaluation.title')}
      extra={
        <DownloadButton
          icon={<DownloadOutlined />}
          url={`/evaluations/export${qs(filters)}`}
          data-testid="evaluations-export"
        >
          {t('evaluation.export')}
        </DownloadButton>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => {
            const next = new URLSearchParams(params);
            if (v?.[0] && v[1]) {
              next.set('from', v[0].format('YYYY-MM-DD'));
              next.set('to', v[1].format('YYYY-MM-DD'));
            } else {
              next.delete('from');
              next.delete('to');
            }
            setParams(next, { replace: true });
          }}
        />
        <Select
          placeholder={t('evaluation.channel')}
          allowClear
          style={{ width: 130 }}
          value={filters.channel}
          onChange={(v?: string) => set('channel', v)}
          options={EVALUATION_CHANNELS.map((c) => ({ value: c, label: t(`evaluation.channels.${c}`) }))}
        />
        {can(me, 'org:read') && (
          <TreeSelect
            placeholder={t('evaluation.unit')}
            allowClear
            style={{ width: 180 }}
            treeData={tree}
            treeDefaultExpandAll
            value={filters.unitId}
            onChange={(v?: string) => set('unitId', v)}
          />
        )}
        {can(me, 'org:read') && (
          <TreeSelect
            placeholder={t('evaluation.counter')}
            allowClear
            style={{ width: 180 }}
            treeData={counterTree}
            treeDefaultExpandAll
            value={filters.counterId}
            onChange={(v?: string) => set('counterId', v)}
            data-testid="evaluations-counter"
          />
        )}
        {VALUE_KEYS.filter((k) => filters[k]).map((k) => (
          <Tag key={k} closable onClose={() => set(k, undefined)} data-testid={`evaluations-value-${k}`}>
            {t(`evaluation.valueCut.${k}`)}: {valueLabel(k, filters[k]!)}
          </Tag>
        ))}
        <Select
          placeholder={t('evaluation.sentiment')}
          allowClear
          style={{ width: 120 }}
          value={filters.sentiment}
          onChange={(v?: string) => set('sentiment', v)}
          options={EVALUATION_SENTIMENTS.map((x) => ({ value: x, label: t(`evaluation.sentiments.${x}`) }))}
          data-testid="evaluations-sentiment"
        />
        <Select
          placeholder={t('evaluation.score')}
          allowClear
          style={{ width: 110 }}
          value={filters.score === undefined ? undefined : String(filters.score)}
          onChange={(v?: string) => set('score', v)}
          options={[
            ...[5, 4, 3, 2, 1].map((s) => ({ value: String(s), label: `${s}/5` })),
            { value: 'unrated', label: t('evaluation.unrated') },
          ]}
        />
        <Select
          placeholder={t('evaluation.flags')}
          allowClear
          style={{ width: 130 }}
          value={filters.flag}
          onChange={(v?: string) => set('flag', v)}
          options={EVALUATION_FLAGS.map((f) => ({ value: f, label: t(`evaluation.flag.${f}`) }))}
        />
        <Select
          placeholder={t('evaluation.state')}
          allowClear
          style={{ width: 140 }}
          value={state}
          data-testid="evaluations-state"
          onChange={(v?: string) => {
            const next = new URLSearchParams(params);
            next.delete('appeal');
            next.delete('excluded');
            if (v === 'appeal') next.set('appeal', 'open');
            if (v === 'excluded') next.set('excluded', 'true');
            if (v === 'counted') next.set('excluded', 'false');
            setParams(next, { replace: true });
          }}
          options={[
            { value: 'appeal', label: t('evaluation.onlyAppeals') },
            { value: 'excluded', label: t('evaluation.onlyExcluded') },
            { value: 'counted', label: t('evaluation.onlyCounted') },
          ]}
        />
        {filters.staffId && (
          <Tag closable onClose={() => set('staffId', undefined)} data-testid="evaluations-staff-filter">
            {t('evaluation.staff')}: {items[0]?.staffName ?? '…'}
          </Tag>
        )}
      </Space>
      <Table<TEvaluation>
        rowKey="id"
        size="middle"
        loading={stream.isFetching && !stream.isFetchingNextPage}
        dataSource={items}
        pagination={false}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('evaluation.occurredAt'), dataIndex: 'occurredAt', width: 170, render: fmtTime },
          {
            title: t('evaluation.channel'),
            dataIndex: 'channel',
            width: 110,
            render: (v: string) => t(`evaluation.channels.${v}`),
          },
          { title: t('evaluation.score'), key: 'score', width: 110, render: (_: unknown, e) => <ScoreTag e={e} /> },
          // Unit and counter names never break inside a word ("1号窗/口"): the cell stays one line.
          {
            title: t('evaluation.unit'),
            key: 'unit',
            width: 220,
            onCell: () => ({ style: { whiteSpace: 'nowrap' }, 'data-testid': 'evaluation-unit' }),
            render: (_: unknown, e) => [e.unitName, e.counterName].filter(Boolean).join(' · ') || '—',
          },
          { title: t('evaluation.staff'), dataIndex: 'staffName', render: (v: string | null) => v ?? '—' },
          { title: t('evaluation.customer'), dataIndex: 'customerName', render: (v: string | null) => v ?? '—' },
          { title: t('evaluation.text'), dataIndex: 'text', ellipsis: true, render: (v: string | null) => v ?? '' },
          { title: t('evaluation.state'), key: 'state', width: 170, render: (_: unknown, e) => <StateTags e={e} /> },
        ]}
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {stream.hasNextPage ? (
          <Button
            onClick={() => void stream.fetchNextPage()}
            loading={stream.isFetchingNextPage}
            data-testid="evaluations-more"
          >
            {t('evaluation.more')}
          </Button>
        ) : (
          items.length > 0 && <Typography.Text type="secondary">{t('evaluation.end')}</Typography.Text>
        )}
      </div>
      <EvaluationDrawer id={open} onClose={close} />
    </Card>
  );
}
