import type { TPermission } from '@huifang/shared';
import { Button, Result, Spin } from 'antd';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { setUnauthenticatedHandler } from '../api/client.ts';
import { can, ME_KEY, useMe } from '../features/auth/api.ts';
import { LoginPage } from '../features/auth/pages/login-page.tsx';
import { KioskPage } from '../features/kiosk/pages/kiosk-page.tsx';
import { KioskAdminPage } from '../features/kiosk/pages/kiosk-admin-page.tsx';
import { CounterPage } from '../features/counter/pages/counter-page.tsx';
import { ServiceReportPage } from '../features/counter/pages/service-report-page.tsx';
import { QueueSettingsPage } from '../features/queue/pages/queue-settings-page.tsx';
import { TakePage } from '../features/queue/pages/take-page.tsx';
import { DisplayPage } from '../features/queue/pages/display-page.tsx';
import { QueueFiguresPage } from '../features/queue/pages/queue-figures-page.tsx';
import { PasswordPage } from '../features/auth/pages/password-page.tsx';
import { AuditPage } from '../features/audit/pages/audit-page.tsx';
import { CustomerPage } from '../features/customers/pages/customer-page.tsx';
import { CustomersPage } from '../features/customers/pages/customers-page.tsx';
import { ImportPage } from '../features/customers/pages/import-page.tsx';
import { QualityPage } from '../features/customers/pages/quality-page.tsx';
import { EvaluationsPage } from '../features/evaluations/pages/evaluations-page.tsx';
import { FeedbackPage } from '../features/feedback/pages/feedback-page.tsx';
import { AnswerPage } from '../features/surveys/pages/answer-page.tsx';
import { SurveysPage } from '../features/surveys/pages/surveys-page.tsx';
import { SurveyDesignerPage } from '../features/surveys/pages/survey-designer-page.tsx';
import { SurveyResultsPage } from '../features/surveys/pages/survey-results-page.tsx';
import { OutboxPage } from '../features/messaging/pages/outbox-page.tsx';
import { SettingsPage } from '../features/settings/pages/settings-page.tsx';
import { WorkbenchPage } from '../features/followup/pages/workbench-page.tsx';
import { PlansPage } from '../features/followup/pages/plans-page.tsx';
import { TasksPage } from '../features/followup/pages/tasks-page.tsx';
import { PathsPage } from '../features/followup/pages/paths-page.tsx';
import { TicketsPage } from '../features/tickets/pages/tickets-page.tsx';
import { TicketPage } from '../features/tickets/pages/ticket-page.tsx';
import { BuyerReviewPage } from '../features/order-reviews/pages/buyer-review-page.tsx';
import { OrderReviewsPage } from '../features/order-reviews/pages/order-reviews-page.tsx';
import { ShopScorePage } from '../features/order-reviews/pages/shop-score-page.tsx';
import { DashboardPage } from '../features/dashboard/pages/dashboard-page.tsx';
import { OrgPage } from '../features/org/pages/org-page.tsx';
import { RolesPage } from '../features/roles/pages/roles-page.tsx';
import { UsersPage } from '../features/users/pages/users-page.tsx';
import { ValuePage } from '../features/value/pages/value-page.tsx';
import { AppLayout, NAV } from './layout.tsx';
import { queryClient } from './providers.tsx';

/** Logged in, and (unless on the password page) not forced to change the password first. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { data: me, isLoading } = useMe();
  const location = useLocation();
  if (isLoading) return <Spin fullscreen />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (me.user.mustChangePassword && location.pathname !== '/account/password')
    return <Navigate to="/account/password" replace />;
  return children;
}

function RequirePermission({ permission, children }: { permission: TPermission; children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe().data;
  if (!can(me, permission))
    return (
      <Result
        status="403"
        title="403"
        subTitle={t('common.noPermission')}
        extra={
          <Link to={NAV.find((n) => can(me, n.permission))?.path ?? '/account/password'}>
            <Button type="primary">{t('common.back')}</Button>
          </Link>
        }
      />
    );
  return children;
}

/** A 401 from any call (session expired or revoked) sends the user to the login page. */
function SessionWatch() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      queryClient.setQueryData(ME_KEY, null);
      void navigate('/login', { replace: true, state: { from: location.pathname + location.search } });
    });
  }, [navigate, location.pathname, location.search]);
  return null;
}

const guarded = (permission: TPermission, el: ReactNode) => (
  <RequirePermission permission={permission}>{el}</RequirePermission>
);

export function AppRouter() {
  return (
    <BrowserRouter>
      <SessionWatch />
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        {/* The survey answer page (H5): public, outside the login shell. */}
        <Route path="/s/:token" element={<AnswerPage />} />
        {/* The buyer's order review page (phone-sized): public, reached through a per-order link token. */}
        <Route path="/r/:token" element={<BuyerReviewPage />} />
        {/* The counter kiosk: full screen, no login shell; it authenticates with its device token. */}
        <Route path="/kiosk" element={<KioskPage />} />
        {/* Taking a queue number 取号: public, reached through the outlet's link (touch screen; phone by QR code). */}
        <Route path="/queue/take/:token" element={<TakePage mode="screen" />} />
        <Route path="/queue/m/:token" element={<TakePage mode="phone" />} />
        {/* The hall display 叫号屏: a TV browser paired to an outlet with its own device token. */}
        <Route path="/queue/display" element={<DisplayPage />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={guarded('dashboard:read', <DashboardPage />)} />
          <Route path="customers" element={guarded('customer:read', <CustomersPage />)} />
          <Route path="customers/import" element={guarded('customer:import', <ImportPage />)} />
          <Route path="customers/quality" element={guarded('customer:read', <QualityPage />)} />
          <Route path="customers/:id" element={guarded('customer:read', <CustomerPage />)} />
          <Route path="value" element={guarded('customer:read', <ValuePage />)} />
          <Route path="evaluations" element={guarded('evaluation:read', <EvaluationsPage />)} />
          <Route path="feedback" element={guarded('feedback:read', <FeedbackPage />)} />
          <Route path="followup/workbench" element={guarded('followup:work', <WorkbenchPage />)} />
          <Route path="followup/plans" element={guarded('followup:read', <PlansPage />)} />
          <Route path="followup/tasks" element={guarded('followup:read', <TasksPage />)} />
          <Route path="followup/paths" element={guarded('followup:read', <PathsPage />)} />
          <Route path="tickets" element={guarded('ticket:read', <TicketsPage />)} />
          <Route path="tickets/:id" element={guarded('ticket:read', <TicketPage />)} />
          <Route path="order-reviews" element={guarded('review:read', <OrderReviewsPage />)} />
          <Route path="shop-score" element={guarded('review:read', <ShopScorePage />)} />
          <Route path="surveys" element={guarded('survey:read', <SurveysPage />)} />
          <Route path="surveys/:id" element={guarded('survey:read', <SurveyDesignerPage />)} />
          <Route path="surveys/:id/results" element={guarded('survey:read', <SurveyResultsPage />)} />
          <Route path="outbox" element={guarded('audit:read', <OutboxPage />)} />
          <Route path="settings" element={guarded('settings:write', <SettingsPage />)} />
          <Route path="counter" element={guarded('counter:serve', <CounterPage />)} />
          <Route path="service-report" element={guarded('evaluation:read', <ServiceReportPage />)} />
          <Route path="kiosk-admin" element={guarded('org:read', <KioskAdminPage />)} />
          <Route path="queue-settings" element={guarded('org:read', <QueueSettingsPage />)} />
          <Route path="queue-figures" element={guarded('evaluation:read', <QueueFiguresPage />)} />
          <Route path="org" element={guarded('org:read', <OrgPage />)} />
          <Route path="users" element={guarded('user:read', <UsersPage />)} />
          <Route path="roles" element={guarded('role:read', <RolesPage />)} />
          <Route path="audit" element={guarded('audit:read', <AuditPage />)} />
          <Route path="account/password" element={<PasswordPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
