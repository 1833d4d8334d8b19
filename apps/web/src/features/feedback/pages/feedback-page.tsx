import { FEEDBACK_CATEGORIES, FEEDBACK_SENTIMENTS, FEEDBACK_TOPICS, type TFeedbackItem } from '@huifang/shared';
import { Button, Card, DatePicker, Input, Select, Space, Table, TreeSelect } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { fmtTime, TIME_ZONE } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { useFeedbackItems, useFeedbackSummary, type TFeedbackFilters } from '../api.ts';
import { CorrectLabelsModal } from '../components/correct-labels-modal.tsx';
import { FeedbackTags, HighlightedText } from '../components/feedback-tags.tsx';
import { SummaryTiles } from '../components/summary-tiles.tsx';

const FILTER_KEYS = ['category', 'sentiment', 'topic', 'unitId', 'corrected', 'from', 'to', 'q'] as const;
const dayStart = (d: Dayjs) => dayjs.tz(d.format('YYYY-MM-DD'), TIME_ZONE).format();
const nextDayStart = (d: Dayjs) => dayjs.tz(d.format('YYYY-MM-DD'), TIME_ZONE).add(1, 'day').format();

/** 反馈分析: every classified free text of my scope, its labels and keywords; staff with feedback:label correct them. */
export function FeedbackPage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [editing, setEditing] = useState<TFeedbackItem | null>(null);
  const filters = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined]).filter(([, v]) => v !== undefined),
  ) as TFeedbackFilters;
  const items = useFeedbackItems(filters, page, pageSize);
  const summary = useFeedbackSummary({ unitId: filters.unitId, from: filters.from, to: filters.to });
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const canLabel = can(me, 'feedback:label');
  const set = (k: (typeof FILTER_KEYS)[number], v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
    setPage(1);
  };
  const range: [Dayjs, Dayjs] | null =
    filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to).subtract(1, 'day')] : null;

  return (
    <Card title={t('feedback.title')}>
      <SummaryTiles summary={summary.data} />
      <Space wrap style={{ margin: '16px 0' }}>
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => {
            const next = new URLSearchParams(params);
            if (v?.[0] && v[1]) {
              next.set('from', dayStart(v[0]));
              next.set('to', nextDayStart(v[1]));
            } else {
              next.delete('from');
              next.delete('to');
            }
            setParams(next, { replace: true });
            setPage(1);
          }}
        />
        {can(me, 'org:read') && (
          <TreeSelect
            placeholder={t('feedback.unit')}
            allowClear
            style={{ width: 180 }}
            treeData={tree}
            treeDefaultExpandAll
            value={filters.unitId}
            onChange={(v?: string) => set('unitId', v)}
          />
        )}
        <Select
          placeholder={t('feedback.categoryLabel')}
          allowClear
          style={{ width: 110 }}
          data-testid="feedback-filter-category"
          value={filters.category}
          onChange={(v?: string) => set('category', v)}
          options={FEEDBACK_CATEGORIES.map((c) => ({ value: c, label: t(`feedback.category.${c}`) }))}
        />
        <Select
          placeholder={t('feedback.sentimentLabel')}
          allowClear
          style={{ width: 110 }}
          value={filters.sentiment}
          onChange={(v?: string) => set('sentiment', v)}
          options={FEEDBACK_SENTIMENTS.map((s) => ({ value: s, label: t(`feedback.sentiment.${s}`) }))}
        />
        <Select
          placeholder={t('feedback.topicLabel')}
          allowClear
          style={{ width: 120 }}
          value={filters.topic}
          onChange={(v?: string) => set('topic', v)}
          options={FEEDBACK_TOPICS.map((x) => ({ value: x, label: t(`feedback.topic.${x}`) }))}
        />
        <Select
          placeholder={t('feedback.correctedFilter')}
          allowClear
          style={{ width: 120 }}
          value={filters.corrected}
          onChange={(v?: string) => set('corrected', v)}
          options={[
            { value: 'true', label: t('feedback.correctedYes') },
            { value: 'false', label: t('feedback.correctedNo') },
          ]}
        />
        <Input.Search
          allowClear
          placeholder={t('feedback.search')}
          defaultValue={filters.q}
          style={{ width: 200 }}
          onSearch={(v) => set('q', v.trim() || undefined)}
        />
      </Space>
      <Table<TFeedbackItem>
        rowKey="id"
        size="middle"
        loading={items.isFetching}
        dataSource={items.data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: items.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('feedback.total', { n }),
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
        columns={[
          { title: t('feedback.occurredAt'), dataIndex: 'occurredAt', width: 170, render: fmtTime },
          {
            title: t('feedback.channel'),
            dataIndex: 'channel',
            width: 100,
            render: (v: string) => t(`evaluation.channels.${v}`),
          },
          {
            title: t('feedback.unit'),
            key: 'unit',
            width: 180,
            render: (_: unknown, r) => [r.unitName, r.staffName].filter(Boolean).join(' · ') || '—',
          },
          {
            title: t('feedback.text'),
            key: 'text',
            onCell: () => ({ 'data-testid': 'feedback-text' }) as never,
            render: (_: unknown, r) => <HighlightedText text={r.text} keywords={r.model.keywords} />,
          },
          {
            title: t('feedback.labels'),
            key: 'labels',
            width: 260,
            render: (_: unknown, r) => <FeedbackTags item={r} />,
          },
          ...(canLabel
            ? [
                {
                  title: '',
                  key: 'actions',
                  width: 100,
                  render: (_: unknown, r: TFeedbackItem) => (
                    <Button size="small" data-testid="feedback-correct" onClick={() => setEditing(r)}>
                      {t('feedback.correct')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CorrectLabelsModal item={editing} onClose={() => setEditing(null)} />
    </Card>
  );
}
