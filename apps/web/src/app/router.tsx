import type { TPermission } from '@huifang/shared';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { setUnauthenticatedHandler } from '../api/client.ts';
import { ME_KEY } from '../features/auth/api.ts';
import { loadStrings } from './i18n.ts';
import { PageLoading } from './page-loading.tsx';
import { queryClient } from './query-client.ts';

/**
 * Pages load only what they draw: every page, and the staff shell (layout, menus, login check), is its own lazy
 * chunk, so the public phone pages (survey /s, review /r, kiosk, queue) download the shared entry (React, router,
 * i18n, react-query — no antd) and their own chunk — never the staff app nor antd. antd's providers load with the
 * login page and the staff shell. The budget test (apps/web/e2e/bundle-budget.spec.ts) checks the sizes over the
 * build output.
 */
const StaffProviders = lazy(() => import('./providers.tsx'));
/** A page's chunk together with the strings it shows (app/i18n.ts): its feature's (and those it borrows: strings-of.ts),
 * or the staff shell's part of every feature's. */
const withStrings = <T,>(part: string, chunk: Promise<T>) => Promise.all([chunk, loadStrings(part)]).then(([m]) => m);
const StaffShell = lazy(() => withStrings('shell', import('./staff-shell.tsx')));
const RequirePermission = lazy(() => import('./staff-shell.tsx').then((m) => ({ default: m.RequirePermission })));
const LoginPage = lazy(() => import('../features/auth/pages/login-page.tsx').then((m) => ({ default: m.LoginPage })));
const KioskPage = lazy(() =>
  withStrings('kiosk', import('../features/kiosk/pages/kiosk-page.tsx')).then((m) => ({ default: m.KioskPage })),
);
const KioskAdminPage = lazy(() =>
  withStrings('kiosk', import('../features/kiosk/pages/kiosk-admin-page.tsx')).then((m) => ({
    default: m.KioskAdminPage,
  })),
);
const CounterPage = lazy(() =>
  withStrings('counter', import('../features/counter/pages/counter-page.tsx')).then((m) => ({
    default: m.CounterPage,
  })),
);
const ServiceReportPage = lazy(() =>
  withStrings('counter', import('../features/counter/pages/service-report-page.tsx')).then((m) => ({
    default: m.ServiceReportPage,
  })),
);
const QueueSettingsPage = lazy(() =>
  withStrings('queue', import('../features/queue/pages/queue-settings-page.tsx')).then((m) => ({
    default: m.QueueSettingsPage,
  })),
);
const TakePage = lazy(() =>
  withStrings('queue', import('../features/queue/pages/take-page.tsx')).then((m) => ({ default: m.TakePage })),
);
const DisplayPage = lazy(() =>
  withStrings('queue', import('../features/queue/pages/display-page.tsx')).then((m) => ({ default: m.DisplayPage })),
);
const QueueFiguresPage = lazy(() =>
  withStrings('queue', import('../features/queue/pages/queue-figures-page.tsx')).then((m) => ({
    default: m.QueueFiguresPage,
  })),
);
const PasswordPage = lazy(() =>
  import('../features/auth/pages/password-page.tsx').then((m) => ({ default: m.PasswordPage })),
);
const AuditPage = lazy(() =>
  withStrings('audit', import('../features/audit/pages/audit-page.tsx')).then((m) => ({ default: m.AuditPage })),
);
const CustomerPage = lazy(() =>
  withStrings('customers', import('../features/customers/pages/customer-page.tsx')).then((m) => ({
    default: m.CustomerPage,
  })),
);
const CustomersPage = lazy(() =>
  withStrings('customers', import('../features/customers/pages/customers-page.tsx')).then((m) => ({
    default: m.CustomersPage,
  })),
);
const ImportPage = lazy(() =>
  withStrings('customers', import('../features/customers/pages/import-page.tsx')).then((m) => ({
    default: m.ImportPage,
  })),
);
const QualityPage = lazy(() =>
  withStrings('customers', import('../features/customers/pages/quality-page.tsx')).then((m) => ({
    default: m.QualityPage,
  })),
);
const EvaluationsPage = lazy(() =>
  withStrings('evaluations', import('../features/evaluations/pages/evaluations-page.tsx')).then((m) => ({
    default: m.EvaluationsPage,
  })),
);
const AnalysisPage = lazy(() =>
  withStrings('analysis', import('../features/analysis/pages/analysis-page.tsx')).then((m) => ({
    default: m.AnalysisPage,
  })),
);
const FeedbackPage = lazy(() =>
  withStrings('feedback', import('../features/feedback/pages/feedback-page.tsx')).then((m) => ({
    default: m.FeedbackPage,
  })),
);
const AnswerPage = lazy(() =>
  withStrings('surveys', import('../features/surveys/pages/answer-page.tsx')).then((m) => ({ default: m.AnswerPage })),
);
const SurveysPage = lazy(() =>
  withStrings('surveys', import('../features/surveys/pages/surveys-page.tsx')).then((m) => ({
    default: m.SurveysPage,
  })),
);
const SurveyDesignerPage = lazy(() =>
  withStrings('surveys', import('../features/surveys/pages/survey-designer-page.tsx')).then((m) => ({
    default: m.SurveyDesignerPage,
  })),
);
const SurveyResultsPage = lazy(() =>
  withStrings('surveys', import('../features/surveys/pages/survey-results-page.tsx')).then((m) => ({
    default: m.SurveyResultsPage,
  })),
);
const OutboxPage = lazy(() =>
  withStrings('messaging', import('../features/messaging/pages/outbox-page.tsx')).then((m) => ({
    default: m.OutboxPage,
  })),
);
const SettingsPage = lazy(() =>
  withStrings('settings', import('../features/settings/pages/settings-page.tsx')).then((m) => ({
    default: m.SettingsPage,
  })),
);
const WorkbenchPage = lazy(() =>
  withStrings('followup', import('../features/followup/pages/workbench-page.tsx')).then((m) => ({
    default: m.WorkbenchPage,
  })),
);
const PlansPage = lazy(() =>
  withStrings('followup', import('../features/followup/pages/plans-page.tsx')).then((m) => ({ default: m.PlansPage })),
);
const TasksPage = lazy(() =>
  withStrings('followup', import('../features/followup/pages/tasks-page.tsx')).then((m) => ({ default: m.TasksPage })),
);
const PathsPage = lazy(() =>
  withStrings('followup', import('../features/followup/pages/paths-page.tsx')).then((m) => ({ default: m.PathsPage })),
);
const TicketsPage = lazy(() =>
  withStrings('tickets', import('../features/tickets/pages/tickets-page.tsx')).then((m) => ({
    default: m.TicketsPage,
  })),
);
const TicketPage = lazy(() =>
  withStrings('tickets', import('../features/tickets/pages/ticket-page.tsx')).then((m) => ({ default: m.TicketPage })),
);
const BuyerReviewPage = lazy(() =>
  withStrings('order-reviews', import('../features/order-reviews/pages/buyer-review-page.tsx')).then((m) => ({
    default: m.BuyerReviewPage,
  })),
);
const OrderReviewsPage = lazy(() =>
  withStrings('order-reviews', import('../features/order-reviews/pages/order-reviews-page.tsx')).then((m) => ({
    default: m.OrderReviewsPage,
  })),
);
const ShopScorePage = lazy(() =>
  withStrings('order-reviews', import('../features/order-reviews/pages/shop-score-page.tsx')).then((m) => ({
    default: m.ShopScorePage,
  })),
);
const DashboardPage = lazy(() =>
  withStrings('dashboard', import('../features/dashboard/pages/dashboard-page.tsx')).then((m) => ({
    default: m.DashboardPage,
  })),
);
const StaffPerformancePage = lazy(() =>
  withStrings('reports', import('../features/reports/pages/staff-performance-page.tsx')).then((m) => ({
    default: m.StaffPerformancePage,
  })),
);
const PrintReportPage = lazy(() =>
  withStrings('reports', import('../features/reports/pages/print-report-page.tsx')).then((m) => ({
    default: m.PrintReportPage,
  })),
);
const ReportSchedulesPage = lazy(() =>
  withStrings('reports', import('../features/reports/pages/report-schedules-page.tsx')).then((m) => ({
    default: m.ReportSchedulesPage,
  })),
);
const OrgPage = lazy(() => import('../features/org/pages/org-page.tsx').then((m) => ({ default: m.OrgPage })));
const RolesPage = lazy(() => import('../features/roles/pages/roles-page.tsx').then((m) => ({ default: m.RolesPage })));
const UsersPage = lazy(() => import('../features/users/pages/users-page.tsx').then((m) => ({ default: m.UsersPage })));
const ValuePage = lazy(() =>
  withStrings('value', import('../features/value/pages/value-page.tsx')).then((m) => ({ default: m.ValuePage })),
);

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
      <Suspense fallback={<PageLoading fullscreen />}>
        <Routes>
          <Route
            path="/login"
            element={
              <StaffProviders>
                <LoginPage />
              </StaffProviders>
            }
          />
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
          <Route element={<StaffShell />}>
            <Route index element={guarded('dashboard:read', <DashboardPage />)} />
            <Route path="customers" element={guarded('customer:read', <CustomersPage />)} />
            <Route path="customers/import" element={guarded('customer:import', <ImportPage />)} />
            <Route path="customers/quality" element={guarded('customer:read', <QualityPage />)} />
            <Route path="customers/:id" element={guarded('customer:read', <CustomerPage />)} />
            <Route path="value" element={guarded('customer:read', <ValuePage />)} />
            <Route path="evaluations" element={guarded('evaluation:read', <EvaluationsPage />)} />
            <Route path="analysis" element={guarded('evaluation:read', <AnalysisPage />)} />
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
            <Route path="staff-performance" element={guarded('evaluation:read', <StaffPerformancePage />)} />
            <Route path="reports/print" element={guarded('dashboard:read', <PrintReportPage />)} />
            <Route path="report-schedules" element={guarded('report:read', <ReportSchedulesPage />)} />
            <Route path="org" element={guarded('org:read', <OrgPage />)} />
            <Route path="users" element={guarded('user:read', <UsersPage />)} />
            <Route path="roles" element={guarded('role:read', <RolesPage />)} />
            <Route path="audit" element={guarded('audit:read', <AuditPage />)} />
            <Route path="account/password" element={<PasswordPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
