import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Space, Switch, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { can, useMe } from '../../auth/api.ts';
import { CreateTicketDialog } from '../components/create-ticket-dialog.tsx';
import { TicketBoard } from '../components/ticket-board.tsx';
import { TicketList } from '../components/ticket-list.tsx';

/** 工单: the board (columns by status, cards coloured by SLA state) and the filtered list, for my scope. */
export function TicketsPage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'board';
  const mine = params.get('mine') === '1';
  const [creating, setCreating] = useState(false);
  const setParam = (k: string, v: string | null) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n, { replace: true });
  };
  return (
    <Card
      title={t('menu.tickets')}
      extra={
        <Space>
          <Space size={4}>
            <Switch size="small" checked={mine} onChange={(v) => setParam('mine', v ? '1' : null)} />
            {t('tickets.mineOnly')}
          </Space>
          {can(me, 'ticket:manage') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="ticket-create"
            >
              {t('tickets.create')}
            </Button>
          )}
        </Space>
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(k) => setParam('tab', k)}
        items={[
          { key: 'board', label: t('tickets.board'), children: tab === 'board' && <TicketBoard mine={mine} /> },
          { key: 'list', label: t('tickets.list'), children: tab === 'list' && <TicketList mine={mine} /> },
        ]}
      />
      {creating && (
        <CreateTicketDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            void navigate(`/tickets/${id}`);
          }}
        />
      )}
    </Card>
  );
}
