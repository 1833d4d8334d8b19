import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { can, useMe } from '../../auth/api.ts';
import { useCalendarCoverage } from '../calendar-coverage-api.ts';

/**
 * The business calendar 工作日历 runs out within 60 days (or holds nothing): past its last year every weekday counts as
 * a working day — 春节 included — for SLA timers and callbacks. Shown to those who can fix it (settings:write): on the
 * calendar card, and as a banner above every other page (`banner`).
 */
export function CalendarRunoutAlert({ banner = false }: { banner?: boolean }) {
  const { t } = useTranslation();
  const canWrite = can(useMe().data, 'settings:write');
  const coverage = useCalendarCoverage(canWrite).data;
  const onSettings = useLocation().pathname.startsWith('/settings');
  // On 系统设置 the calendar card says it itself.
  if (!canWrite || !coverage?.isRunningOut || (banner && onSettings)) return null;
  const message = coverage.coveredUntil
    ? t('settingsPage.calendar.runout', { date: coverage.coveredUntil, days: Math.max(0, coverage.daysLeft ?? 0) })
    : t('settingsPage.calendar.runoutEmpty');
  return (
    <Alert
      type="warning"
      showIcon
      banner={banner}
      style={{ marginBottom: 16 }}
      data-testid={banner ? 'calendar-runout-banner' : 'calendar-runout'}
      message={message}
      action={banner ? <Link to="/settings">{t('settingsPage.calendar.runoutAction')}</Link> : undefined}
    />
  );
}
