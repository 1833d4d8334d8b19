import type { TTicketCustomerPanel } from '@huifang/shared';
import { App, Button, Card, Descriptions, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { reveal } from '../../customers/api.ts';
import { StatusTag } from './ticket-tags.tsx';

/**
 * The customer of the ticket: the masked card (a phone revealed one at a time through the customers module, audited
 * there, when the customer is in my customer scope) and their history — earlier tickets, recent evaluations and
 * follow-up tasks as far as I may see them.
 */
export function CustomerPanel({ panel }: { panel: TTicketCustomerPanel | null }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const [phone, setPhone] = useState<string | null>(null);
  if (!panel)
    return (
      <Card size="small" title={t('tickets.detail.customer')}>
        <Typography.Text type="secondary">{t('tickets.detail.noCustomer')}</Typography.Text>
      </Card>
    );
  const c = panel.customer;
  const canReveal = panel.isVisible && can(me, 'pii:reveal') && c.phones.length > 0;
  const onReveal = async () => {
    try {
      setPhone(await reveal(c.id, 'phone', 0));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <Card
      size="small"
      title={t('tickets.detail.customer')}
      data-testid="ticket-customer"
      extra={panel.isVisible && <Link to={`/customers/${c.id}`}>{t('tickets.detail.openCustomer')}</Link>}
    >
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('tickets.col.customer')}>{c.name}</Descriptions.Item>
        <Descriptions.Item label={t('tickets.detail.phone')}>
          <Space>
            {phone ?? c.phones[0] ?? '—'}
            {canReveal && !phone && (
              <Button size="small" type="link" onClick={() => void onReveal()}>
                {t('tickets.detail.reveal')}
              </Button>
            )}
          </Space>
        </Descriptions.Item>
        {c.tier && <Descriptions.Item label={t('tickets.detail.tier')}>{c.tier}</Descriptions.Item>}
        <Descriptions.Item label={t('tickets.col.unit')}>{c.unitName}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 8 }}>
        {t('tickets.detail.earlierTickets')}
      </Typography.Title>
      <List
        size="small"
        locale={{ emptyText: t('tickets.detail.none') }}
        dataSource={panel.tickets}
        renderItem={(x) => (
          <List.Item>
            <Space size={4} wrap>
              <Link to={`/tickets/${x.id}`}>{x.no}</Link>
              <StatusTag status={x.status} />
              <Typography.Text ellipsis style={{ maxWidth: 160 }}>
                {x.title}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5}>{t('tickets.detail.evaluations')}</Typography.Title>
      <List
        size="small"
        locale={{ emptyText: t('tickets.detail.none') }}
        dataSource={panel.evaluations}
        renderItem={(e) => (
          <List.Item>
            <Space size={4} wrap>
              <Tag color={e.score !== null && e.score <= 2 ? 'red' : 'default'}>
                {e.ratingLabel ?? (e.score !== null ? `${e.score}/5` : '—')}
              </Tag>
              <Typography.Text type="secondary">{fmtTime(e.occurredAt)}</Typography.Text>
              {e.text && (
                <Typography.Text ellipsis style={{ maxWidth: 160 }}>
                  {e.text}
                </Typography.Text>
              )}
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5}>{t('tickets.detail.tasks')}</Typography.Title>
      <List
        size="small"
        locale={{ emptyText: t('tickets.detail.none') }}
        dataSource={panel.tasks}
        renderItem={(x) => (
          <List.Item>
            <Space size={4} wrap>
              <Typography.Text>{x.planName}</Typography.Text>
              <Tag>{t(`followup.states.${x.state}`)}</Tag>
              <Typography.Text type="secondary">{fmtTime(x.dueUntil)}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
