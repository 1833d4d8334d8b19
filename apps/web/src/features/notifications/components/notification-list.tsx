import { DownOutlined, RightOutlined } from '@ant-design/icons';
import type { TNotification, TNotificationGroup, TNotificationList } from '@huifang/shared';
import { Button, Empty, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useKindNotifications, useMarkRead } from '../api.ts';

/** Where a whole group leads: a list filtered to what the notifications of that kind are about. */
const GROUP_LINKS: Record<string, string> = {
  'followup.escalated': '/followup/tasks?bucket=overdue',
  'followup.overdue': '/followup/tasks?bucket=overdue',
  'followup.due': '/followup/tasks?bucket=today',
  'evaluation.appealed': '/evaluations?appeal=open',
};

function Item({ n, onOpen }: { n: TNotification; onOpen: (n: TNotification) => void }) {
  return (
    <List.Item
      style={{ cursor: 'pointer', background: n.readAt ? undefined : '#e6f4ff', paddingInline: 8 }}
      onClick={() => onOpen(n)}
      data-testid="notification-item"
    >
      <List.Item.Meta
        title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>}
        description={
          <>
            {n.body}
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fmtTime(n.createdAt)}
            </Typography.Text>
          </>
        }
      />
    </List.Item>
  );
}

/** One row for the unread notifications of a kind ("回访任务逾期升级 ×21"); expands to them, links to a filtered list. */
function Group({
  g,
  onOpen,
  onNavigate,
}: {
  g: TNotificationGroup;
  onOpen: (n: TNotification) => void;
  onNavigate: (path: string) => void;
}) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState(false);
  const items = useKindNotifications(g.kind, expanded);
  const mark = useMarkRead();
  // Kinds are dotted (followup.escalated); i18next would read the dot as nesting.
  const label = t(`notifications.kinds.${g.kind.replaceAll('.', '_')}`, { defaultValue: g.latest.title });
  return (
    <div data-testid={`notification-group-${g.kind}`} style={{ borderBottom: '1px solid #f0f0f0' }}>
      <div
        style={{ cursor: 'pointer', background: '#e6f4ff', padding: '8px' }}
        onClick={() => setExpanded((x) => !x)}
        data-testid="notification-group"
      >
        <Space>
          {expanded ? <DownOutlined /> : <RightOutlined />}
          <Typography.Text strong>
            {label} ×{g.unread}
          </Typography.Text>
        </Space>
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('notifications.latest', { at: fmtTime(g.latest.createdAt) })}
          </Typography.Text>
        </div>
      </div>
      {expanded && (
        <div style={{ paddingInlineStart: 12 }}>
          <List
            size="small"
            loading={items.isLoading}
            dataSource={items.data?.items ?? []}
            renderItem={(n) => <Item n={n} onOpen={onOpen} />}
            style={{ maxHeight: 320, overflowY: 'auto' }}
          />
          <Space>
            {GROUP_LINKS[g.kind] && (
              <Button
                type="link"
                size="small"
                onClick={() => onNavigate(GROUP_LINKS[g.kind]!)}
                data-testid="notification-group-list"
              >
                {t('notifications.openList')}
              </Button>
            )}
            <Button type="link" size="small" onClick={() => mark.mutate({ kind: g.kind })}>
              {t('notifications.readKind')}
            </Button>
          </Space>
        </div>
      )}
    </div>
  );
}

/**
 * The bell's list (its own chunk, loaded when the bell is first opened: antd's List and its pagination are not part of
 * the shell's first download): unread notifications grouped by kind (a kind with several is one row that expands),
 * then the latest read ones; a click opens what the notification names and marks it read.
 */
export default function NotificationList({
  data,
  onOpen: openOne,
  onNavigate: go,
}: {
  data: TNotificationList | undefined;
  onOpen: (n: TNotification) => void;
  onNavigate: (path: string) => void;
}) {
  const { t } = useTranslation();
  const mark = useMarkRead();
  const unread = data?.unreadCount ?? 0;
  const groups = data?.groups ?? [];
  const read = (data?.items ?? []).filter((n) => n.readAt);
  return (
    <div style={{ width: 360, maxHeight: 520, overflowY: 'auto' }} data-testid="notification-list">
      {groups.length === 0 && read.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <>
          {groups.map((g) =>
            g.unread > 1 ? (
              <Group key={g.kind} g={g} onOpen={openOne} onNavigate={go} />
            ) : (
              <List
                key={g.kind}
                size="small"
                dataSource={[g.latest]}
                renderItem={(n) => <Item n={n} onOpen={openOne} />}
              />
            ),
          )}
          {read.length > 0 && (
            <List size="small" dataSource={read} renderItem={(n) => <Item n={n} onOpen={openOne} />} />
          )}
        </>
      )}
      {unread > 0 && (
        <Button type="link" block onClick={() => mark.mutate({})}>
          {t('notifications.readAll')}
        </Button>
      )}
    </div>
  );
}
