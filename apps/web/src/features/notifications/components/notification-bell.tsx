import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { fmtTime } from '../../../lib/format.ts';
import { useMarkRead, useNotifications } from '../api.ts';

/** The bell in the app header: unread badge, the latest ten, click to open (and mark read). */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const list = useNotifications();
  const mark = useMarkRead();
  const unread = list.data?.unreadCount ?? 0;
  const content = (
    <div style={{ width: 340 }} data-testid="notification-list">
      {(list.data?.items.length ?? 0) === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <List
          size="small"
          dataSource={list.data?.items ?? []}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer', background: n.readAt ? undefined : '#e6f4ff', paddingInline: 8 }}
              onClick={() => {
                if (!n.readAt) mark.mutate(n.id);
                setOpen(false);
                if (n.link) void navigate(n.link);
              }}
            >
              <List.Item.Meta title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>} description={<>{n.body}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{fmtTime(n.createdAt)}</Typography.Text></>} />
            </List.Item>
          )}
        />
      )}
      {unread > 0 && <Button type="link" block onClick={() => mark.mutate('all')}>{t('notifications.readAll')}</Button>}
    </div>
  );
  return (
    <Popover trigger="click" placement="bottomRight" open={open} onOpenChange={setOpen} title={t('notifications.title')} content={content}>
      <Badge count={unread} size="small" data-testid="notification-badge">
        <BellOutlined data-testid="notification-bell" aria-label={t('notifications.title')} style={{ fontSize: 18, cursor: 'pointer' }} />
      </Badge>
    </Popover>
  );
}
