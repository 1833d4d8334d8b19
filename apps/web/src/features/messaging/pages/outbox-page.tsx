import { MESSAGE_STATUSES, type TMessageStatus, type TOutboxMessage } from '@huifang/shared';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Segmented, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { requeueMessage, useOutbox } from '../api.ts';
import { SmsSettingsCard } from './sms-settings-card.tsx';

const COLOR: Record<TMessageStatus, string> = {
  queued: 'blue',
  sending: 'processing',
  sent: 'green',
  failed: 'red',
  cancelled: 'default',
};

/** 发件箱: outbound messages with their status (DESIGN §8). */
export function OutboxPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<TMessageStatus | 'all'>('all');
  const [channel, setChannel] = useState<'email' | 'sms' | 'all'>('all');
  const list = useOutbox({
    page,
    pageSize: 20,
    ...(status === 'all' ? {} : { status }),
    ...(channel === 'all' ? {} : { channel }),
  });
  const counts = list.data?.counts ?? {};
  return (
    <Card title={t('outbox.title')}>
      <SmsSettingsCard canWrite={can(me, 'settings:write')} />
      {list.data && !list.data.smtpConfigured && (
        <Alert
          type="warning"
          showIcon
          message={t('outbox.noSmtp')}
          style={{ marginBottom: 16 }}
          data-testid="outbox-no-smtp"
        />
      )}
      <Segmented
        style={{ marginBottom: 16, marginRight: 16 }}
        value={channel}
        onChange={(v) => {
          setChannel(v as 'email' | 'sms' | 'all');
          setPage(1);
        }}
        options={[
          { value: 'all', label: t('outbox.allChannels') },
          { value: 'email', label: t('outbox.channels.email') },
          { value: 'sms', label: t('outbox.channels.sms') },
        ]}
        data-testid="outbox-channel"
      />
      <Segmented
        style={{ marginBottom: 16 }}
        value={status}
        onChange={(v) => {
          setStatus(v as TMessageStatus | 'all');
          setPage(1);
        }}
        options={[
          { value: 'all', label: t('outbox.all') },
          ...MESSAGE_STATUSES.map((s) => ({ value: s, label: `${t(`outbox.status.${s}`)} ${counts[s] ?? 0}` })),
        ]}
      />
      <Table<TOutboxMessage>
        rowKey="id"
        size="small"
        scroll={{ x: 'max-content' }}
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: 20,
          total: list.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
        }}
        columns={[
          { title: t('outbox.createdAt'), dataIndex: 'createdAt', render: (v: string) => fmtTime(v), width: 170 },
          {
            title: t('outbox.channel'),
            dataIndex: 'channel',
            width: 80,
            render: (v: string, r) => (
              <Tag>
                {t(`outbox.channels.${v}`)}
                {r.isMarketing ? ` · ${t('outbox.marketing')}` : ''}
              </Tag>
            ),
          },
          { title: t('outbox.to'), dataIndex: 'to' },
          ...(channel === 'sms'
            ? []
            : [{ title: t('outbox.subject'), dataIndex: 'subject', render: (v: string | null) => v ?? '—' }]),
          {
            title: t('outbox.kind'),
            dataIndex: 'refType',
            render: (v: string | null) => (v ? t(`outbox.ref.${v}`, { defaultValue: v }) : '—'),
          },
          {
            title: t('outbox.statusCol'),
            dataIndex: 'status',
            render: (v: TMessageStatus, r) => (
              <Tooltip
                title={
                  [r.lastError, r.providerMessageId ? `${t('outbox.providerId')}: ${r.providerMessageId}` : null]
                    .filter(Boolean)
                    .join(' · ') || undefined
                }
              >
                <Tag color={COLOR[v]}>{t(`outbox.status.${v}`)}</Tag>
              </Tooltip>
            ),
          },
          {
            title: t('outbox.policy'),
            dataIndex: 'policyOutcome',
            render: (v: string | null) => {
              if (!v) return '—';
              const [kind, reason] = v.split(':') as [string, string];
              return (
                <Tag color={kind === 'blocked' ? 'red' : 'gold'} data-testid="policy-outcome">
                  {t('outbox.policyTag', {
                    kind: t(`outbox.policyKind.${kind}`),
                    reason: t(`outbox.reason.${reason}`, { defaultValue: reason }),
                  })}
                </Tag>
              );
            },
          },
          {
            // 送达: the provider's receipt (SMS); e-mail has none.
            title: t('outbox.delivery'),
            dataIndex: 'deliveryStatus',
            render: (v: TOutboxMessage['deliveryStatus'], r) =>
              v ? (
                <Tooltip
                  title={
                    [r.deliveryError, r.deliveredAt ? fmtTime(r.deliveredAt) : null].filter(Boolean).join(' · ') ||
                    undefined
                  }
                >
                  <Tag color={v === 'delivered' ? 'green' : 'red'} data-testid="delivery-status">
                    {t(`outbox.deliveryStatus.${v}`)}
                  </Tag>
                </Tooltip>
              ) : r.channel === 'sms' && r.status === 'sent' ? (
                <Tag>{t('outbox.deliveryStatus.none')}</Tag>
              ) : (
                '—'
              ),
          },
          { title: t('outbox.sendAfter'), dataIndex: 'sendAfter', render: (v: string) => fmtTime(v), width: 170 },
          { title: t('outbox.sentAt'), dataIndex: 'sentAt', render: (v: string | null) => fmtTime(v), width: 170 },
          { title: t('outbox.attempts'), dataIndex: 'attempts', align: 'right', width: 70 },
          {
            title: '',
            render: (_, r) =>
              r.status === 'failed' && can(me, 'settings:write') ? (
                <Button
                  size="small"
                  onClick={async () => {
                    try {
                      await requeueMessage(r.id);
                      await qc.invalidateQueries({ queryKey: ['outbox'] });
                    } catch (err) {
                      void message.error(errorText(err, i18n.language));
                    }
                  }}
                >
                  {t('outbox.requeue')}
                </Button>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}
