import type { TAnalyticsDashboard } from '@huifang/shared';
import { Card, Col, Row, Skeleton, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { TIME_ZONE } from '../../../lib/format.ts';

const Pie = lazy(() => import('./units-pie.tsx'));

/**
 * 客户分级 of the caller's units in the latest value run, as two pies (分层 and 生命周期). A snapshot of that run, not
 * of the period: the card says as of when. Links to the customer value page.
 */
export function CustomerValueCard({ value }: { value: NonNullable<TAnalyticsDashboard['customerValue']> }) {
  const { t } = useTranslation();
  const tiers = useMemo(
    () => value.tiers.map((x) => ({ name: x.tier ?? t('cockpit.noTier'), value: x.customers })),
    [value, t],
  );
  const lifecycles = useMemo(
    () =>
      value.lifecycles.map((x) => ({
        name: t(`value.lifecycles.${x.lifecycle}`, { defaultValue: x.lifecycle }),
        value: x.customers,
      })),
    [value, t],
  );
  return (
    <Card
      size="small"
      data-testid="cockpit-tiers"
      title={t('cockpit.tiers')}
      extra={<Link to="/value">{t('cockpit.asOf', { at: dayjs(value.asOf).tz(TIME_ZONE).format('YYYY-MM-DD') })}</Link>}
    >
      <Row gutter={8}>
        <Col span={12}>
          <Typography.Text type="secondary">{t('cockpit.tierDim')}</Typography.Text>
          <Suspense fallback={<Skeleton active />}>
            <Pie data={tiers} height={240} testId="cockpit-tier-pie" />
          </Suspense>
        </Col>
        <Col span={12}>
          <Typography.Text type="secondary">{t('cockpit.lifecycleDim')}</Typography.Text>
          <Suspense fallback={<Skeleton active />}>
            <Pie data={lifecycles} height={240} testId="cockpit-lifecycle-pie" />
          </Suspense>
        </Col>
      </Row>
    </Card>
  );
}
