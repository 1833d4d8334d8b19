import { useQuery } from '@tanstack/react-query';
import type { TAnalyticsDashboard, TDashboardPeriod } from '@huifang/shared';
import { Button, Card, Col, List, Row, Segmented, Skeleton, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get } from '../../../api/client.ts';
import { TIME_ZONE } from '../../../lib/format.ts';
import { CockpitTile, tileLink } from './cockpit-tile.tsx';
import { CustomerValueCard } from './customer-value-card.tsx';

const TrendChart = lazy(() => import('./trend-chart.tsx'));
const RankingChart = lazy(() => import('./ranking-chart.tsx'));
const FlowHeatmap = lazy(() => import('./flow-heatmap.tsx'));

const PERIODS: TDashboardPeriod[] = ['day', 'week', 'month', 'quarter', 'year'];

/** Step a local day by whole periods (a quarter = 3 months). */
const step = (day: string, period: TDashboardPeriod, n: number) =>
  period === 'quarter'
    ? dayjs(day)
        .add(3 * n, 'month')
        .format('YYYY-MM-DD')
    : dayjs(day).add(n, period).format('YYYY-MM-DD');

/**
 * 驾驶舱: the figures the caller's role acts on over a period (日/周/月/季/年, stepped back and forth) with 环比 and 同比
 * badges (snapshots say so instead), each a link to the page behind it; the daily trend, the 满意度排名 of the units
 * below him, the hour × weekday heat map of customer flow and the tier distribution (a teller / agent: his own
 * figures only).
 */
export function Cockpit({ personal }: { personal: boolean }) {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<TDashboardPeriod>('month');
  const today = dayjs().tz(TIME_ZONE).format('YYYY-MM-DD');
  const [date, setDate] = useState(today);
  const { data } = useQuery({
    queryKey: ['analytics-dashboard', period, date],
    queryFn: () => get<TAnalyticsDashboard>(`/analytics/dashboard?period=${period}&date=${date}`),
  });
  const prefix = personal ? 'cockpit.my.' : 'cockpit.tile.';
  const evalLink = (unitId?: string) => {
    if (!data) return '/evaluations';
    const p = new URLSearchParams();
    if (unitId) p.set('unitId', unitId);
    p.set('from', dayjs.tz(data.current.fromDay, TIME_ZONE).format());
    p.set('to', dayjs.tz(data.current.toDay, TIME_ZONE).subtract(1, 'millisecond').format());
    return `/evaluations?${p.toString()}`;
  };
  /** The tasks behind the follow-up figures: due window opening on a local day of the period. */
  const tasksLink = data
    ? `/followup/tasks?${new URLSearchParams({
        from: data.current.fromDay,
        to: dayjs(data.current.toDay).subtract(1, 'day').format('YYYY-MM-DD'),
      }).toString()}`
    : '/followup/tasks';
  return (
    <Card
      data-testid="cockpit"
      title={t('cockpit.title')}
      style={{ marginBottom: 16 }}
      extra={
        <Space wrap>
          <Segmented
            data-testid="cockpit-period"
            value={period}
            onChange={(v) => setPeriod(v as TDashboardPeriod)}
            options={PERIODS.map((p) => ({ value: p, label: t(`cockpit.period.${p}`) }))}
          />
          <Button data-testid="cockpit-prev" onClick={() => setDate(step(date, period, -1))}>
            {t('cockpit.previous')}
          </Button>
          <Button disabled={step(date, period, 1) > today} onClick={() => setDate(step(date, period, 1))}>
            {t('cockpit.next')}
          </Button>
          {data && (
            <Typography.Text type="secondary" data-testid="cockpit-range">
              {data.current.fromDay} ~ {dayjs(data.current.toDay).subtract(1, 'day').format('YYYY-MM-DD')}
            </Typography.Text>
          )}
        </Space>
      }
    >
      {!data ? (
        <Skeleton active />
      ) : (
        <Row gutter={[16, 16]}>
          {data.tiles.map((x) => (
            <Col xs={12} lg={6} xl={4} key={x.key}>
              <CockpitTile tile={x} prefix={prefix} to={tileLink(x.key, personal, evalLink(), tasksLink)} />
            </Col>
          ))}
          {data.trend.length > 1 && (
            <Col xs={24} lg={data.ranking.length ? 14 : 24}>
              <Card size="small" title={t('cockpit.trend')}>
                <Suspense fallback={<Skeleton active />}>
                  <TrendChart trend={data.trend} />
                </Suspense>
              </Card>
            </Col>
          )}
          {data.ranking.length > 0 && (
            <Col xs={24} lg={10}>
              <Card size="small" title={t('cockpit.ranking')}>
                <Suspense fallback={<Skeleton active />}>
                  <RankingChart ranking={data.ranking} range={data.current} />
                </Suspense>
                <List
                  size="small"
                  data-testid="cockpit-ranking"
                  dataSource={data.ranking}
                  renderItem={(r, i) => (
                    <List.Item
                      extra={
                        <Typography.Text type="secondary">
                          {r.satisfactionRate === null ? '—' : `${r.satisfactionRate}%`} ·{' '}
                          {t('cockpit.unsatisfiedN', { n: r.unsatisfied })}
                        </Typography.Text>
                      }
                    >
                      <Link to={evalLink(r.unitId)} data-testid="cockpit-ranking-unit">
                        {i + 1}. {r.name}
                      </Link>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
          )}
          {data.flow.length > 0 && (
            <Col xs={24} lg={14}>
              <Card size="small" title={t('cockpit.flow')}>
                <Suspense fallback={<Skeleton active />}>
                  <FlowHeatmap flow={data.flow} />
                </Suspense>
              </Card>
            </Col>
          )}
          {data.customerValue && (
            <Col xs={24} lg={10}>
              <CustomerValueCard value={data.customerValue} />
            </Col>
          )}
        </Row>
      )}
    </Card>
  );
}
