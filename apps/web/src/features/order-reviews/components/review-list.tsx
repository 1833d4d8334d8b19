import type { TOrderReview } from '@huifang/shared';
import { Button, DatePicker, Image, Rate, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { dimensionsOf, useOrderReviews, useShops } from '../api.ts';
import { ReplyModal } from './reply-modal.tsx';
import { DownloadButton } from '../../../lib/download-button.tsx';

type TFilters = {
  unitId?: string;
  dimension?: string;
  dimScore?: number;
  hasText?: string;
  counted?: string;
  from?: string;
  to?: string;
  page: number;
};

/** 评价列表 with filters (dimension score, text, counted, date), replies inline. */
export function ReviewList() {
  const { t } = useTranslation();
  const me = useMe().data;
  const [f, setF] = useState<TFilters>({ page: 1 });
  const q = useOrderReviews({ ...f, pageSize: 20 } as never);
  const dims = dimensionsOf(useShops().data?.items);
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const [replying, setReplying] = useState<{ review: TOrderReview; target: 'rating' | 'followup' } | null>(null);
  const set = (patch: Partial<TFilters>) => setF({ ...f, ...patch, page: 1 });
  const mayReply = can(me, 'review:reply');
  const exportUrl = `/order-reviews/export?${new URLSearchParams(
    Object.entries(f)
      .filter(([k, v]) => v !== undefined && k !== 'page')
      .map(([k, v]) => [k, String(v)]),
  ).toString()}`;
  const canReplyNow = (deadline: string) => dayjs().isBefore(dayjs(deadline));

  return (
    <>
      <Space wrap style={{ marginBottom: 16 }}>
        {can(me, 'org:read') && (
          <TreeSelect
            placeholder={t('orderReview.shop')}
            allowClear
            style={{ width: 200 }}
            treeData={tree}
            treeDefaultExpandAll
            value={f.unitId}
            onChange={(v?: string) => set({ unitId: v })}
            data-testid="filter-unit"
          />
        )}
        <Select
          placeholder={t('orderReview.dimension')}
          allowClear
          style={{ width: 120 }}
          value={f.dimension}
          onChange={(v?: string) => set({ dimension: v })}
          options={dims.map((d) => ({ value: d.key, label: d.name }))}
        />
        <Select
          placeholder={t('orderReview.dimScore')}
          allowClear
          style={{ width: 110 }}
          value={f.dimScore}
          onChange={(v?: number) => set({ dimScore: v })}
          options={[5, 4, 3, 2, 1].map((s) => ({ value: s, label: `${s} ★` }))}
        />
        <Select
          placeholder={t('orderReview.hasText')}
          allowClear
          style={{ width: 120 }}
          value={f.hasText}
          onChange={(v?: string) => set({ hasText: v })}
          options={[
            { value: 'true', label: t('orderReview.withText') },
            { value: 'false', label: t('orderReview.withoutText') },
          ]}
        />
        <Select
          placeholder={t('orderReview.counted')}
          allowClear
          style={{ width: 130 }}
          value={f.counted}
          onChange={(v?: string) => set({ counted: v })}
          options={[
            { value: 'true', label: t('orderReview.isCounted') },
            { value: 'false', label: t('orderReview.notCounted') },
          ]}
          data-testid="filter-counted"
        />
        <DatePicker.RangePicker
          value={f.from && f.to ? [dayjs(f.from), dayjs(f.to)] : null}
          onChange={(v) => set({ from: v?.[0]?.format('YYYY-MM-DD'), to: v?.[1]?.format('YYYY-MM-DD') })}
        />
        <DownloadButton url={exportUrl} data-testid="reviews-export">
          {t('orderReview.export')}
        </DownloadButton>
      </Space>
      <Table<TOrderReview>
        rowKey="id"
        size="middle"
        loading={q.isFetching}
        dataSource={q.data?.items ?? []}
        // Wider than the content area at 1440 px: the table scrolls inside its card, the page never does.
        scroll={{ x: 'max-content' }}
        data-testid="reviews-table"
        pagination={{
          current: f.page,
          pageSize: 20,
          total: q.data?.total ?? 0,
          onChange: (page) => setF({ ...f, page }),
          showSizeChanger: false,
        }}
        expandable={{
          expandedRowRender: (r) => (
            <Space direction="vertical">
              {r.imageIds.length > 0 && (
                <Image.PreviewGroup>
                  {r.imageIds.map((id) => (
                    <Image key={id} width={72} src={`/api/order-reviews/${r.id}/images/${id}`} />
                  ))}
                </Image.PreviewGroup>
              )}
              {r.reply && (
                <Typography.Text type="secondary">
                  {t('orderReview.shopReply')}（{r.reply.repliedByName}，{fmtTime(r.reply.repliedAt)}）：{r.reply.text}
                </Typography.Text>
              )}
              {r.followup && (
                <div>
                  <Tag color="purple">{t('orderReview.followup')}</Tag> {r.followup.text}{' '}
                  <Typography.Text type="secondary">{fmtTime(r.followup.createdAt)}</Typography.Text>
                  {r.followup.reply ? (
                    <div>
                      <Typography.Text type="secondary">
                        {t('orderReview.shopReply')}：{r.followup.reply.text}
                      </Typography.Text>
                    </div>
                  ) : (
                    mayReply &&
                    canReplyNow(r.followup.replyDeadline) && (
                      <Button size="small" type="link" onClick={() => setReplying({ review: r, target: 'followup' })}>
                        {t('orderReview.replyToFollowup')}
                      </Button>
                    )
                  )}
                </div>
              )}
            </Space>
          ),
        }}
        columns={[
          { title: t('orderReview.ratedAt'), dataIndex: 'ratedAt', width: 165, render: fmtTime },
          { title: t('orderReview.shop'), dataIndex: 'shopName', width: 130 },
          { title: t('orderReview.orderNo'), dataIndex: 'orderNo', width: 130 },
          {
            title: t('orderReview.buyer'),
            key: 'buyer',
            width: 90,
            render: (_: unknown, r) => (r.isAnonymous ? <Tag>{t('orderReview.anonymousShort')}</Tag> : r.buyerName),
          },
          ...dims.map(({ key: k, name }) => ({
            title: name,
            key: k,
            width: 140,
            render: (_: unknown, r: TOrderReview) =>
              r.dimensions[k] === undefined ? '—' : <Rate disabled value={r.dimensions[k]} style={{ fontSize: 12 }} />,
          })),
          {
            title: t('orderReview.text'),
            dataIndex: 'text',
            width: 220,
            ellipsis: true,
            render: (v: string | null) => v ?? '',
          },
          {
            title: t('orderReview.counted'),
            key: 'counted',
            width: 110,
            render: (_: unknown, r) =>
              r.isCounted ? (
                <Tag color="green">{t('orderReview.isCounted')}</Tag>
              ) : (
                <Tag title={t('orderReview.notCountedWhy', { n: r.monthSeq })}>{t('orderReview.notCounted')}</Tag>
              ),
          },
          {
            title: t('orderReview.reply'),
            key: 'reply',
            width: 110,
            render: (_: unknown, r) =>
              r.reply ? (
                <Tag color="blue">{t('orderReview.replied')}</Tag>
              ) : mayReply && canReplyNow(r.replyDeadline) ? (
                <Button
                  size="small"
                  data-testid="reply-button"
                  onClick={() => setReplying({ review: r, target: 'rating' })}
                >
                  {t('orderReview.doReply')}
                </Button>
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
        ]}
      />
      <ReplyModal
        review={replying?.review ?? null}
        target={replying?.target ?? 'rating'}
        onClose={() => setReplying(null)}
      />
    </>
  );
}
