import type { TTicketCallback } from '@huifang/shared';
import { Card, Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useTicketCallbacks } from '../close-loop/close-loop-api.ts';

const OUTCOME_COLOR: Record<string, string> = {
  satisfied: 'green',
  reopened: 'red',
  timeout: 'default',
  cancelled: 'default',
  no_contact: 'orange',
  not_sampled: 'default',
};

/** 回访记录 of one ticket: when the callback goes / went out, until when it waits, and the customer's answer. */
export function TicketCallbackPanel({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const { data, isLoading } = useTicketCallbacks(ticketId);
  const stateOf = (c: TTicketCallback) =>
    c.outcome ? (
      <Tag color={OUTCOME_COLOR[c.outcome]}>{t(`closeLoop.outcome.${c.outcome}`)}</Tag>
    ) : c.skipReason ? (
      <Tag color="orange">{t(`closeLoop.skip.${c.skipReason}`)}</Tag>
    ) : (
      <Tag color="blue">{t(c.sentAt ? 'closeLoop.state.waiting' : 'closeLoop.state.scheduled')}</Tag>
    );
  return (
    <Card size="small" title={t('closeLoop.panel.title')} loading={isLoading} data-testid="ticket-callbacks">
      {data && data.items.length === 0 ? (
        <Empty description={t('closeLoop.panel.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Table<TTicketCallback>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={data?.items ?? []}
          columns={[
            { title: t('closeLoop.panel.mode'), dataIndex: 'mode', render: (m: string) => t(`closeLoop.mode.${m}`) },
            { title: t('closeLoop.panel.state'), key: 'state', render: (_, c) => stateOf(c) },
            {
              title: t('closeLoop.panel.sentAt'),
              key: 'sent',
              render: (_, c) =>
                c.sentAt
                  ? fmtTime(c.sentAt)
                  : c.skipReason
                    ? '—'
                    : t('closeLoop.panel.sendAfter', { at: fmtTime(c.sendAfter) }),
            },
            {
              title: t('closeLoop.panel.autoCloseAt'),
              dataIndex: 'autoCloseAt',
              render: (v: string | null) => fmtTime(v),
            },
            {
              title: t('closeLoop.panel.answer'),
              key: 'answer',
              render: (_, c) =>
                c.score === null ? (
                  '—'
                ) : (
                  <span data-testid="callback-answer">
                    {t('closeLoop.panel.score', { n: c.score })}
                    {c.comment && <Typography.Text type="secondary">：{c.comment}</Typography.Text>}
                  </span>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}
