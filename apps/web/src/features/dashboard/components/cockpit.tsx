import { useQuery } from '@tanstack/react-query';
import type { TAnalyticsDashboard, TAnalyticsTile, TDashboardPeriod } from '@huifang/shared';
import { Button, Card, Col, List, Row, Segmented, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get } from '../../../api/client.ts';
import { TIME_ZONE } from '../../../lib/format.ts';

const TrendChart = lazy(() => import('./trend-chart.tsx'));
const RankingChart = lazy(() => import('./ranking-chart.tsx'));

const PERIODS: TDashboardPeriod[] = ['day', 'week', 'month', 'quarter', 'year'];
/** Figures where a rise is bad news (red arrow up). */
const LOWER_IS_BETTER = new Set(['unsatisfied', 'unrated', 'avgHandlingSeconds', 'ticketsReceived', 'slaBreaches']);

/** Step a local day by whole periods (a quarter = 3 months). */
const step = (day: string, period: TDashboardPeriod, n: number) =>
  period === 'quarter'
    ? dayjs(day)
        .add(3 * n, 'month')
        .format('YYYY-MM-DD')
    : dayjs(day).add(n, period).format('YYYY-MM-DD');

function fmt(tile: TAnalyticsTile, v: number | null): string {
  if (v === null) return '—';
  if (tile.key === 'satisfactionRate') return `${v}%`;
  if (tile.key === 'avgHandlingSeconds') return String(Math.round(v / 6) / 10);
  return String(v);
}

function Change({
  label,
  pct,
  lowerIsBetter,
  testId,
}: {
  label: string;
  pct: number | null;
  lowerIsBetter: boolean;
  testId: string;
}) {
  if (pct === null) return <Tag data-testid={testId}>{label} —</Tag>;
  const up = pct > 0;
  const good = pct === 0 ? null : up !== lowerIsBetter;
  return (
    <Tag color={good === null ? 'default' : good ? 'green' : 'red'} data-testid={testId}>
      {label} {pct === 0 ? '→' : up ? '↑' : '↓'}
      {Math.abs(pct)}%
    </Tag>
  );
}

/**
 * 驾驶舱: the caller's figures over a period (日/周/月/季/年, stepped back and forth) with 环比 and 同比 badges, the
 * daily trend and the 满意度排名 of the units below him (a teller: his own figures, no ranking).
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
              <Card size="small" data-testid={`cockpit-${x.key}`}>
                <Statistic
                  title={t(`${prefix}${x.key}`)}
                  value={fmt(x, x.value)}
                  suffix={x.key === 'avgHandlingSeconds' && x.value !== null ? t('dashboard.minutesUnit') : undefined}
                />
                <Space size={4} wrap>
                  <Change
                    label={t('cockpit.mom')}
                    pct={x.changePct}
                    lowerIsBetter={LOWER_IS_BETTER.has(x.key)}
                    testId={`cockpit-${x.key}-mom`}
                  />
                  <Change
                    label={t('cockpit.yoy')}
                    pct={x.yoyPct}
                    lowerIsBetter={LOWER_IS_BETTER.has(x.key)}
                    testId={`cockpit-${x.key}-yoy`}
                  />
                </Space>
              </Card>
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
        </Row>
      )}
    </Card>
  );
}
