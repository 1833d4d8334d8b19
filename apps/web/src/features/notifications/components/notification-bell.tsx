import { BellOutlined } from '@ant-design/icons';
import type { TNotification } from '@huifang/shared';
import { Badge, Popover } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageLoading } from '../../../app/page-loading.tsx';
import { useMarkRead, useNotifications } from '../api.ts';

const NotificationList = lazy(() => import('./notification-list.tsx'));

/**
 * The bell in the app header: unread badge; a click opens the list (notification-list.tsx, loaded on the first open).
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const list = useNotifications();
  const mark = useMarkRead();
  const unread = list.data?.unreadCount ?? 0;
  const go = (path: string) => {
    setOpen(false);
    void navigate(path);
  };
  const openOne = (n: TNotification) => {
    if (!n.readAt) mark.mutate({ id: n.id });
    if (n.link) go(n.link);
    else setOpen(false);
  };
  // antd renders a popover's content on its first open only: the list's chunk loads then.
  const content = (
    <Suspense fallback={<PageLoading />}>
      <NotificationList data={list.data} onOpen={openOne} onNavigate={go} />
    </Suspense>
  );
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      title={t('notifications.title')}
      content={content}
    >
      <Badge count={unread} size="small" data-testid="notification-badge">
        <BellOutlined
          data-testid="notification-bell"
          aria-label={t('notifications.title')}
          style={{ fontSize: 18, cursor: 'pointer' }}
        />
      </Badge>
    </Popover>
  );
}
