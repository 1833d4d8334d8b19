import { useQuery } from '@tanstack/react-query';
import type { TDashboardSummary } from '@huifang/shared';
import { Card, Col, List, Row, Skeleton, Statistic, Typography } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { actorLabel, auditSummary } from '../../audit/audit-text.ts';
import { Cockpit } from '../components/cockpit.tsx';

const UnitsPie = lazy(() => import('../components/units-pie.tsx'));

/** One figure tile; `to` makes it a link to the list behind it. */
type TTile = {
  key: string;
  testId: string;
  value: number | string;
  suffix?: string | undefined;
  to?: string | undefined;
};

/**
 * What the caller acts on, as the server sent it: a block the role may not see is null (never computed), so the tiles
 * follow the session's permissions — a teller his served customers, own satisfaction and appeals; an agent his tasks
 * and reach rate; a manager his scope's satisfaction, unsatisfied ratings, overdue tasks, units and users.
 */
function tilesOf(d: TDashboardSummary, hasPersonalScope: boolean, canAppeal: boolean): TTile[] {
  const tiles: TTile[] = [];
  const pct = (v: number | null) => (v === null ? '—' : v);
  if (d.counter) {
    tiles.push({ key: 'dashboard.servedToday', testId: 'stat-servedToday', value: d.counter.servedToday });
    if (d.counter.avgHandlingSecondsToday !== null)
      tiles.push({
        key: 'dashboard.avgHandling',
        testId: 'stat-avgHandling',
        value: Math.round(d.counter.avgHandlingSecondsToday / 6) / 10,
        suffix: 'min',
      });
  }
  if (d.myTasks) {
    tiles.push({
      key: 'dashboard.myTasksToday',
      testId: 'stat-myTasksToday',
      value: d.myTasks.dueToday,
      to: '/followup/workbench',
    });
    tiles.push({
      key: 'dashboard.myOverdue',
      testId: 'stat-myOverdue',
      value: d.myTasks.overdue,
      to: '/followup/workbench',
    });
    tiles.push({
      key: 'dashboard.myReach30',
      testId: 'stat-myReach30',
      value: pct(d.myTasks.reachPercent30Days),
      suffix: d.myTasks.reachPercent30Days === null ? undefined : '%',
    });
  }
  if (d.evaluations) {
    const e = d.evaluations;
    const sat = {
      value: pct(e.satisfiedPercent30Days),
      suffix: e.satisfiedPercent30Days === null ? undefined : '%',
      to: '/evaluations',
    };
    if (hasPersonalScope) {
      tiles.push({ key: 'dashboard.mySatisfied30', testId: 'stat-satisfied30', ...sat });
      if (canAppeal)
        tiles.push({
          key: 'dashboard.myAppeals',
          testId: 'stat-openAppeals',
          value: e.openAppeals,
          to: '/evaluations?appeal=open',
        });
    } else {
      tiles.push({ key: 'dashboard.branchSatisfied30', testId: 'stat-satisfied30', ...sat });
      tiles.push({
        key: 'dashboard.unsatisfied30',
        testId: 'stat-unsatisfied30',
        value: e.unsatisfied30Days,
        to: '/evaluations?score=1',
      });
      tiles.push({ key: 'dashboard.evalToday', testId: 'stat-evalToday', value: e.today, to: '/evaluations' });
      tiles.push({
        key: 'dashboard.openAppeals',
        testId: 'stat-openAppeals',
        value: e.openAppeals,
        to: '/evaluations?appeal=open',
      });
    }
  }
  if (d.teamTasks) {
    tiles.push({
      key: 'dashboard.teamOverdue',
      testId: 'stat-teamOverdue',
      value: d.teamTasks.overdue,
      to: '/followup/tasks',
    });
    tiles.push({ key: 'dashboard.teamOpen', testId: 'stat-teamOpen', value: d.teamTasks.open, to: '/followup/tasks' });
  }
  if (d.units !== null) tiles.push({ key: 'dashboard.units', testId: 'stat-units', value: d.units });
  if (d.activeUsers !== null) tiles.push({ key: 'dashboard.activeUsers', testId: 'stat-users', value: d.activeUsers });
  if (d.loginsToday !== null) tiles.push({ key: 'dashboard.loginsToday', testId: 'stat-logins', value: d.loginsToday });
  if (d.auditEventsToday !== null)
    tiles.push({ key: 'dashboard.eventsToday', testId: 'stat-events', value: d.auditEventsToday });
  return tiles;
}

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { data } = useQuery({ queryKey: ['dashboard'], queryFn: () => get<TDashboardSummary>('/dashboard/summary') });
  const pie = useMemo(
    () => (data?.unitsByType ?? []).map((r) => ({ name: t(`unitType.${r.type}`), value: r.count })),
    [data, t],
  );

  if (!data) return <Skeleton active />;
  // A worker's own tiles (counter or follow-up work) read as "my …"; the evaluation figures are then his own too.
  const tiles = tilesOf(data, data.counter !== null || data.myTasks !== null, can(me, 'evaluation:appeal'));
  return (
    <>
      <Typography.Title level={4}>{t('dashboard.welcome', { name: me?.user.displayName ?? '' })}</Typography.Title>
      {(can(me, 'evaluation:read') || can(me, 'ticket:read') || can(me, 'counter:serve')) && (
        <Cockpit personal={data.counter !== null || data.myTasks !== null} />
      )}
      <Row gutter={[16, 16]} data-testid="dashboard-tiles">
        {tiles.map((x) => {
          const card = (
            <Card data-testid={x.testId} hoverable={Boolean(x.to)}>
              <Statistic
                title={t(x.key)}
                value={x.value}
                suffix={x.suffix === 'min' ? t('dashboard.minutesUnit') : x.suffix}
              />
            </Card>
          );
          return (
            <Col xs={12} lg={6} key={x.key}>
              {x.to ? <Link to={x.to}>{card}</Link> : card}
            </Col>
          );
        })}
        {data.unitsByType && (
          <Col xs={24} lg={12}>
            <Card title={t('dashboard.unitsByType')}>
              <Suspense fallback={<Skeleton active />}>
                <UnitsPie data={pie} />
              </Suspense>
            </Card>
          </Col>
        )}
        {data.recentEvents && (
          <Col xs={24} lg={12}>
            <Card title={t('dashboard.recent')}>
              <List
                size="small"
                dataSource={data.recentEvents}
                renderItem={(e) => (
                  <List.Item>
                    <List.Item.Meta
                      title={`${actorLabel(e.actorName, t)} · ${t(`action.${e.action}`, { defaultValue: e.action })}`}
                      description={auditSummary(e, t, i18n.language)}
                    />
                    <Typography.Text type="secondary">{fmtTime(e.at)}</Typography.Text>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
      </Row>
    </>
  );
}
