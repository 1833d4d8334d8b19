import type { TReviewableOrder } from '@huifang/shared';
import { Button, message, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { useReviewableOrders } from '../api.ts';

/** 已完成订单 with their review state; "copy review link" makes a per-order buyer link. */
export function OrdersList({ unitId }: { unitId?: string }) {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const [state, setState] = useState<string | undefined>('open');
  const [page, setPage] = useState(1);
  const q = useReviewableOrders({ unitId, state: state as never, page, pageSize: 20 });
  const [msg, holder] = message.useMessage();
  const [lastLink, setLastLink] = useState<string | null>(null);
  const copy = async (o: TReviewableOrder) => {
    try {
      const link = await post<{ path: string }>('/order-reviews/links', { transactionId: o.transactionId });
      const url = `${window.location.origin}${link.path}`;
      setLastLink(url);
      await navigator.clipboard?.writeText(url).catch(() => undefined);
      void msg.success(t('orderReview.linkCopied'));
    } catch (e) {
      void msg.error(errorText(e, i18n.language));
    }
  };
  return (
    <>
      {holder}
      <Space style={{ marginBottom: 16 }} wrap>
        <Select
          style={{ width: 150 }}
          allowClear
          placeholder={t('orderReview.orderState')}
          value={state}
          onChange={(v?: string) => {
            setState(v);
            setPage(1);
          }}
          options={(['open', 'rated', 'closed'] as const).map((s) => ({
            value: s,
            label: t(`orderReview.orderStates.${s}`),
          }))}
        />
        {lastLink && (
          <a href={lastLink} data-testid="last-review-link" target="_blank" rel="noreferrer">
            {lastLink.slice(0, 60)}…
          </a>
        )}
      </Space>
      <Table<TReviewableOrder>
        rowKey="transactionId"
        size="middle"
        loading={q.isFetching}
        dataSource={q.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: 20,
          total: q.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
        }}
        columns={[
          { title: t('orderReview.completedAt'), dataIndex: 'completedAt', width: 170, render: fmtTime },
          { title: t('orderReview.shop'), dataIndex: 'shopName' },
          { title: t('orderReview.orderNo'), dataIndex: 'orderNo' },
          { title: t('orderReview.buyer'), dataIndex: 'buyerName' },
          { title: t('orderReview.amount'), dataIndex: 'amountFen', render: (v: number) => `¥${(v / 100).toFixed(2)}` },
          { title: t('orderReview.rateDeadline'), dataIndex: 'rateDeadline', width: 170, render: fmtTime },
          {
            title: t('orderReview.orderState'),
            dataIndex: 'state',
            render: (s: string) => (
              <Tag color={s === 'open' ? 'green' : s === 'rated' ? 'blue' : 'default'}>
                {t(`orderReview.orderStates.${s}`)}
              </Tag>
            ),
          },
          {
            title: '',
            key: 'link',
            render: (_: unknown, o) =>
              can(me, 'review:reply') &&
              o.state === 'open' && (
                <Button size="small" data-testid="copy-review-link" onClick={() => void copy(o)}>
                  {t('orderReview.copyLink')}
                </Button>
              ),
          },
        ]}
      />
    </>
  );
}
