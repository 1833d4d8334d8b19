import { useQuery } from '@tanstack/react-query';
import type { TDashboardSummary } from '@huifang/shared';
import { Card, Col, List, Row, Skeleton, Statistic, Typography } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';
import { useMe } from '../../auth/api.ts';
import { actorLabel, auditSummary } from '../../audit/audit-text.ts';

const UnitsPie = lazy(() => import('../components/units-pie.tsx'));

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const { data } = useQuery({ queryKey: ['dashboard'], queryFn: () => get<TDashboardSummary>('/dashboard/summary') });
  const pie = useMemo(() => (data?.unitsByType ?? []).map((r) => ({ name: t(`unitType.${r.type}`), value: r.count })), [data, t]);

  if (!data) return <Skeleton active />;
  return (
    <>
      <Typography.Title level={4}>{t('dashboard.welcome', { name: me?.user.displayName ?? '' })}</Typography.Title>
      <Row gutter={[16, 16]}>
        {(
          [
            ['dashboard.units', data.units, 'stat-units'],
            ['dashboard.activeUsers', data.activeUsers, 'stat-users'],
            ['dashboard.loginsToday', data.loginsToday, 'stat-logins'],
            ['dashboard.eventsToday', data.auditEventsToday, 'stat-events'],
          ] as const
        ).map(([key, value, testId]) => (
          <Col xs={12} lg={6} key={key}>
            <Card data-testid={testId}>
              <Statistic title={t(key)} value={value} />
            </Card>
          </Col>
        ))}
        {data.evaluations && (
          <>
            {(
              [
                ['dashboard.evalToday', data.evaluations.today, undefined, '/evaluations'],
                ['dashboard.satisfied30', data.evaluations.satisfiedPercent30Days ?? '—', data.evaluations.satisfiedPercent30Days === null ? undefined : '%', '/evaluations'],
                ['dashboard.unsatisfied30', data.evaluations.unsatisfied30Days, undefined, '/evaluations?score=1'],
                ['dashboard.openAppeals', data.evaluations.openAppeals, undefined, '/evaluations?appeal=open'],
              ] as const
            ).map(([key, value, suffix, link]) => (
              <Col xs={12} lg={6} key={key}>
                <Link to={link}>
                  <Card data-testid={`stat-${key.split('.')[1]}`} hoverable>
                    <Statistic title={t(key)} value={value} suffix={suffix} />
                  </Card>
                </Link>
              </Col>
            ))}
          </>
        )}
        <Col xs={24} lg={12}>
          <Card title={t('dashboard.unitsByType')}>
            <Suspense fallback={<Skeleton active />}>
              <UnitsPie data={pie} />
            </Suspense>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('dashboard.recent')}>
            <List
              size="small"
              dataSource={data.recentEvents}
              renderItem={(e) => (
                <List.Item>
                  <List.Item.Meta title={`${actorLabel(e.actorName, t)} · ${t(`action.${e.action}`, { defaultValue: e.action })}`} description={auditSummary(e, t, i18n.language)} />
                  <Typography.Text type="secondary">{fmtTime(e.at)}</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
