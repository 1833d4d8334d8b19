import {
  PhoneOutlined,
  ApartmentOutlined,
  ContactsOutlined,
  AuditOutlined,
  DashboardOutlined,
  DownOutlined,
  KeyOutlined,
  LogoutOutlined,
  SafetyOutlined,
  TeamOutlined,
  LikeOutlined,
  DesktopOutlined,
  OrderedListOutlined,
  FieldTimeOutlined,
  TabletOutlined,
  BarChartOutlined,
} from '@ant-design/icons';
import { FormOutlined, MailOutlined } from '@ant-design/icons';
import { ShopOutlined, StarOutlined } from '@ant-design/icons';
import { ScheduleOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { NodeIndexOutlined } from '@ant-design/icons';
import { SettingOutlined } from '@ant-design/icons';
import { MessageOutlined } from '@ant-design/icons';
import { RiseOutlined } from '@ant-design/icons';
import { ProfileOutlined } from '@ant-design/icons';
import { FundOutlined } from '@ant-design/icons';
import { IdcardOutlined, PrinterOutlined, SendOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import type { TPermission } from '@huifang/shared';
import { Breadcrumb, Dropdown, Layout, Menu, Space } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { can, logout, useMe } from '../features/auth/api.ts';
import { CalendarRunoutAlert } from '../features/settings/components/calendar-runout-alert.tsx';
import { LangSwitch } from '../features/auth/components/lang-switch.tsx';
import { NotificationBell } from '../features/notifications/components/notification-bell.tsx';
import { PageLoading } from './page-loading.tsx';

// Started with the shell, not awaited by it: the page below needs it, the menu and header do not (page-app.tsx).
const pageApp = import('./page-app.tsx');
const PageApp = lazy(() => pageApp);

interface TNavItem {
  path: string;
  labelKey: string;
  icon: ReactNode;
  permission: TPermission;
  /** Menu section (a titled group); none = top level. */
  group?: 'evaluation' | 'followup' | 'system';
}

const GROUP_LABEL = {
  evaluation: 'menu.groupEvaluation',
  followup: 'menu.groupFollowup',
  system: 'menu.system',
} as const;

/** The menu: an item shows only when the user holds its permission. */
export const NAV: TNavItem[] = [
  { path: '/', labelKey: 'menu.dashboard', icon: <DashboardOutlined />, permission: 'dashboard:read' },
  { path: '/customers', labelKey: 'menu.customers', icon: <ContactsOutlined />, permission: 'customer:read' },
  { path: '/value', labelKey: 'menu.value', icon: <RiseOutlined />, permission: 'customer:read' },
  { path: '/tickets', labelKey: 'menu.tickets', icon: <ProfileOutlined />, permission: 'ticket:read' },
  {
    path: '/followup/workbench',
    labelKey: 'menu.followupWorkbench',
    icon: <PhoneOutlined />,
    permission: 'followup:work',
    group: 'followup',
  },
  {
    path: '/followup/plans',
    labelKey: 'menu.followupPlans',
    icon: <ScheduleOutlined />,
    permission: 'followup:manage',
    group: 'followup',
  },
  {
    path: '/followup/paths',
    labelKey: 'menu.followupPaths',
    icon: <NodeIndexOutlined />,
    permission: 'followup:manage',
    group: 'followup',
  },
  {
    path: '/followup/tasks',
    labelKey: 'menu.followupTasks',
    icon: <UnorderedListOutlined />,
    permission: 'followup:manage',
    group: 'followup',
  },
  {
    path: '/evaluations',
    labelKey: 'menu.evaluations',
    icon: <LikeOutlined />,
    permission: 'evaluation:read',
    group: 'evaluation',
  },
  {
    path: '/analysis',
    labelKey: 'menu.analysis',
    icon: <FundOutlined />,
    permission: 'evaluation:read',
    group: 'evaluation',
  },
  {
    path: '/feedback',
    labelKey: 'menu.feedback',
    icon: <MessageOutlined />,
    permission: 'feedback:read',
    group: 'evaluation',
  },
  {
    path: '/surveys',
    labelKey: 'menu.surveys',
    icon: <FormOutlined />,
    permission: 'survey:read',
    group: 'evaluation',
  },
  {
    path: '/counter',
    labelKey: 'menu.counter',
    icon: <DesktopOutlined />,
    permission: 'counter:serve',
    group: 'evaluation',
  },
  {
    path: '/service-report',
    labelKey: 'menu.serviceReport',
    icon: <BarChartOutlined />,
    permission: 'evaluation:read',
    group: 'evaluation',
  },
  {
    path: '/kiosk-admin',
    labelKey: 'menu.kioskAdmin',
    icon: <TabletOutlined />,
    permission: 'kiosk:manage',
    group: 'evaluation',
  },
  {
    path: '/queue-settings',
    labelKey: 'menu.queueSettings',
    icon: <OrderedListOutlined />,
    permission: 'queue:manage',
    group: 'evaluation',
  },
  {
    path: '/queue-figures',
    labelKey: 'menu.queueFigures',
    icon: <FieldTimeOutlined />,
    permission: 'evaluation:read',
    group: 'evaluation',
  },
  {
    path: '/order-reviews',
    labelKey: 'menu.orderReviews',
    icon: <StarOutlined />,
    permission: 'review:read',
    group: 'evaluation',
  },
  {
    path: '/shop-score',
    labelKey: 'menu.shopScore',
    icon: <ShopOutlined />,
    permission: 'review:read',
    group: 'evaluation',
  },
  {
    path: '/staff-performance',
    labelKey: 'menu.staffPerformance',
    icon: <IdcardOutlined />,
    permission: 'evaluation:read',
    group: 'evaluation',
  },
  {
    path: '/reports/print',
    labelKey: 'menu.reportPrint',
    icon: <PrinterOutlined />,
    permission: 'dashboard:read',
    group: 'evaluation',
  },
  {
    path: '/report-schedules',
    labelKey: 'menu.reportSchedules',
    icon: <SendOutlined />,
    permission: 'report:read',
    group: 'system',
  },
  { path: '/org', labelKey: 'menu.org', icon: <ApartmentOutlined />, permission: 'org:read', group: 'system' },
  { path: '/users', labelKey: 'menu.users', icon: <TeamOutlined />, permission: 'user:read', group: 'system' },
  { path: '/roles', labelKey: 'menu.roles', icon: <SafetyOutlined />, permission: 'role:read', group: 'system' },
  { path: '/audit', labelKey: 'menu.audit', icon: <AuditOutlined />, permission: 'audit:read', group: 'system' },
  { path: '/outbox', labelKey: 'menu.outbox', icon: <MailOutlined />, permission: 'audit:read', group: 'system' },
  {
    path: '/settings',
    labelKey: 'menu.settings',
    icon: <SettingOutlined />,
    permission: 'settings:write',
    group: 'system',
  },
];

/** Top-level items, then one titled section per group that has at least one item the user may see. */
function menuItems(items: TNavItem[], t: (k: string) => string) {
  const entry = (n: TNavItem) => ({ key: n.path, icon: n.icon, label: <Link to={n.path}>{t(n.labelKey)}</Link> });
  const groups = (['followup', 'evaluation', 'system'] as const)
    .map((g) => ({ g, children: items.filter((n) => n.group === g).map(entry) }))
    .filter((x) => x.children.length > 0)
    .map((x) => ({ type: 'group' as const, key: `group-${x.g}`, label: t(GROUP_LABEL[x.g]), children: x.children }));
  return [...items.filter((n) => !n.group).map(entry), ...groups];
}

export function AppLayout() {
  const { t } = useTranslation();
  const me = useMe().data;
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const items = NAV.filter((n) => can(me, n.permission));
  const current =
    NAV.find((n) => n.path !== '/' && location.pathname.startsWith(n.path)) ??
    (location.pathname === '/' ? NAV[0] : undefined);
  const crumbTitle =
    location.pathname === '/account/password' ? t('menu.password') : current ? t(current.labelKey) : '';

  const onLogout = async () => {
    await logout();
    qc.clear();
    void navigate('/login', { replace: true });
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={64} theme="dark" width={208}>
        <div
          style={{
            color: '#fff',
            fontSize: 18,
            fontWeight: 600,
            padding: '18px 20px',
            whiteSpace: 'nowrap',
            overflow: 'hidden',
          }}
        >
          {t('app.name')}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={current ? [current.path] : []} items={menuItems(items, t)} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Breadcrumb
            items={[
              { title: <Link to="/">{me?.tenant.name ?? t('app.name')}</Link> },
              ...(crumbTitle ? [{ title: crumbTitle }] : []),
            ]}
          />
          <Space size="large">
            <NotificationBell />
            <LangSwitch />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  {
                    key: 'password',
                    icon: <KeyOutlined />,
                    label: t('menu.password'),
                    onClick: () => void navigate('/account/password'),
                  },
                  { type: 'divider' },
                  { key: 'logout', icon: <LogoutOutlined />, label: t('menu.logout'), onClick: () => void onLogout() },
                ],
              }}
            >
              <a data-testid="user-menu" onClick={(e) => e.preventDefault()} style={{ cursor: 'pointer' }}>
                <Space>
                  {/* Plain text in antd's colours: Typography (ellipsis, copy, edit) is not worth it in the shell. */}
                  <span style={{ color: 'rgba(0,0,0,0.88)' }}>{me?.user.displayName}</span>
                  <span style={{ color: 'rgba(0,0,0,0.45)' }}>{me?.user.unitName}</span>
                  <DownOutlined />
                </Space>
              </a>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <CalendarRunoutAlert banner />
          {/* Each feature page is its own lazy chunk: while it loads, the menu stays and the content shows a spinner. */}
          <Suspense fallback={<PageLoading />}>
            <PageApp>
              <Outlet />
            </PageApp>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
