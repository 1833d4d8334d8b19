import { Card, Col, DatePicker, Empty, Row, Select, Skeleton, Space, Statistic, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIME_ZONE } from '../../../lib/format.ts';
import { useShops, useShopScore, useShopScoreTrend } from '../api.ts';

const ScoreTrend = lazy(() => import('../components/score-trend.tsx'));

/** 店铺评分: per dimension, the mean of the counted ratings of the last six months as of the chosen day. */
export function ShopScorePage() {
  const { t } = useTranslation();
  // Only shops 店铺 have a score: the picker lists the shops in scope (店铺设置 marks a unit as one).
  const shops = useShops();
  const [unitId, setUnitId] = useState<string | undefined>();
  const shop = unitId ?? shops.data?.items[0]?.unitId;
  const [asOf, setAsOf] = useState(dayjs().tz(TIME_ZONE).format('YYYY-MM-DD'));
  const score = useShopScore(shop, asOf);
  const trend = useShopScoreTrend(shop, asOf);
  const chart = useMemo(
    () => ({
      dates: (trend.data?.points ?? []).map((p) => p.asOf),
      series: (trend.data?.points.at(-1)?.dimensions ?? []).map(({ key, name }) => ({
        name,
        data: (trend.data?.points ?? []).map((p) => p.dimensions.find((d) => d.key === key)?.score ?? null),
      })),
    }),
    [trend.data],
  );
  return (
    <Card title={t('orderReview.scoreTitle')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          style={{ width: 220 }}
          value={shop}
          onChange={(v: string) => setUnitId(v)}
          options={(shops.data?.items ?? []).map((s) => ({ value: s.unitId, label: s.unitName }))}
          data-testid="score-unit"
        />
        <DatePicker
          allowClear={false}
          value={dayjs(asOf)}
          onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))}
          data-testid="score-date"
        />
      </Space>
      {shops.data && shops.data.items.length === 0 ? (
        <Empty description={t('orderReview.noShops')} data-testid="score-no-shops" />
      ) : !score.data ? (
        <Skeleton active />
      ) : (
        <>
          <Typography.Paragraph type="secondary">
            {t('orderReview.scoreWindow', { from: score.data.from, to: score.data.to })}
          </Typography.Paragraph>
          <Row gutter={[16, 16]}>
            {score.data.dimensions.map((d) => (
              <Col xs={24} md={8} key={d.key}>
                <Card data-testid={`score-${d.key}`}>
                  <Statistic
                    title={d.name}
                    value={d.score === null ? '—' : d.score.toFixed(2)}
                    suffix={d.score === null ? undefined : '/ 5'}
                  />
                  <Typography.Text type="secondary">{t('orderReview.countedN', { n: d.count })}</Typography.Text>
                </Card>
              </Col>
            ))}
          </Row>
          <Typography.Paragraph style={{ marginTop: 12 }} data-testid="score-counts">
            {t('orderReview.scoreCounts', {
              counted: score.data.countedRatings,
              uncounted: score.data.uncountedRatings,
            })}
          </Typography.Paragraph>
        </>
      )}
      <Card size="small" title={t('orderReview.trend')} style={{ marginTop: 16 }}>
        {trend.data ? (
          <Suspense fallback={<Skeleton active />}>
            <ScoreTrend dates={chart.dates} series={chart.series} />
          </Suspense>
        ) : (
          <Empty />
        )}
      </Card>
    </Card>
  );
}
