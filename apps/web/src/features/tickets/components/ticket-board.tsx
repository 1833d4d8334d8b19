import { TICKET_SLA_STATES, type TTicket } from '@huifang/shared';
import { Card, Col, Empty, Row, Space, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fmtTime } from '../../../lib/format.ts';
import { useTicketBoard } from '../api.ts';
import { PriorityTag, SLA_BORDER, SLA_COLOR, SlaTag } from './ticket-tags.tsx';

const COLUMNS = ['new', 'assigned', 'in_progress', 'waiting_customer', 'reopened', 'resolved', 'closed'] as const;

function TicketCard({ ticket }: { ticket: TTicket }) {
  const { t } = useTranslation();
  return (
    <Link to={`/tickets/${ticket.id}`} data-testid={`board-card-${ticket.id}`}>
      <Card
        size="small"
        hoverable
        style={{ marginBottom: 8, borderLeft: `4px solid ${SLA_BORDER[ticket.slaState] ?? '#d9d9d9'}` }}
      >
        <Space direction="vertical" size={2} style={{ width: '100%' }}>
          <Space size={4} wrap>
            <Typography.Text strong>{ticket.no}</Typography.Text>
            <PriorityTag priority={ticket.priority} />
            <SlaTag state={ticket.slaState} />
          </Space>
          <Typography.Text ellipsis={{ tooltip: ticket.title }}>{ticket.title}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {ticket.unitName} · {ticket.assigneeName ?? t('tickets.unassigned')}
          </Typography.Text>
          {ticket.resolutionDueAt && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('tickets.col.resolutionDue')}: {fmtTime(ticket.resolutionDueAt)}
            </Typography.Text>
          )}
        </Space>
      </Card>
    </Link>
  );
}

/** 工单看板: counts per SLA state of the open tickets, and one column per status with its most urgent cards. */
export function TicketBoard({ mine }: { mine: boolean }) {
  const { t } = useTranslation();
  const board = useTicketBoard(mine ? { assignee: 'me' } : {}).data;
  return (
    <>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        {TICKET_SLA_STATES.filter((s) => s !== 'met').map((s) => (
          <Col key={s} xs={12} md={4}>
            <Card size="small">
              <Statistic
                title={t(`tickets.sla.${s}`)}
                value={board?.bySlaState[s] ?? 0}
                valueStyle={{ color: s === 'breached' ? '#cf1322' : s === 'warning' ? '#d48806' : undefined }}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <div style={{ display: 'flex', gap: 12, overflowX: 'auto', paddingBottom: 8 }}>
        {COLUMNS.map((status) => {
          const col = board?.columns.find((c) => c.status === status);
          return (
            <Card
              key={status}
              size="small"
              data-testid={`board-column-${status}`}
              title={
                <Space>
                  {t(`tickets.status.${status}`)}
                  <Typography.Text type="secondary">{col?.total ?? 0}</Typography.Text>
                </Space>
              }
              style={{ minWidth: 230, flex: '1 0 230px', background: '#fafafa' }}
            >
              {col?.items.length ? (
                col.items.map((x) => <TicketCard key={x.id} ticket={x} />)
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.noTickets')} />
              )}
              {col && col.total > col.items.length && (
                <Link to={`/tickets?tab=list&status=${status}`}>
                  <Typography.Text type="secondary">
                    {t('tickets.more', { n: col.total - col.items.length })}
                  </Typography.Text>
                </Link>
              )}
            </Card>
          );
        })}
      </div>
      <Space style={{ marginTop: 4 }}>
        {Object.keys(SLA_COLOR).map((s) => (
          <span key={s} style={{ fontSize: 12, color: '#888' }}>
            <span
              style={{ display: 'inline-block', width: 10, height: 10, background: SLA_BORDER[s], marginRight: 4 }}
            />
            {t(`tickets.sla.${s}`)}
          </span>
        ))}
      </Space>
    </>
  );
}
