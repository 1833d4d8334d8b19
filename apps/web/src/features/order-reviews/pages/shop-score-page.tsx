import { REVIEW_DIMENSIONS } from '@huifang/shared';
import { Card, Col, DatePicker, Empty, Row, Skeleton, Space, Statistic, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIME_ZONE } from '../../../lib/format.ts';
import { useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { useShopScore, useShopScoreTrend } from '../api.ts';

const ScoreTrend = lazy(() => import('../components/score-trend.tsx'));

/** 店铺评分: per dimension, the mean of the counted ratings of the last six months as of the chosen day. */
export function ShopScorePage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const outlets = units.filter((u) => u.type === 'outlet');
  const [unitId, setUnitId] = useState<string | undefined>();
  const shop = unitId ?? outlets.find((u) => u.name.includes('商城'))?.id ?? outlets[0]?.id ?? me?.user.unitId;
  const [asOf, setAsOf] = useState(dayjs().tz(TIME_ZONE).format('YYYY-MM-DD'));
  const score = useShopScore(shop, asOf);
  const trend = useShopScoreTrend(shop, asOf);
  const chart = useMemo(
    () => ({
      dates: (trend.data?.points ?? []).map((p) => p.asOf),
      series: REVIEW_DIMENSIONS.map((k) => ({ name: t(`orderReview.dim.${k}`), data: (trend.data?.points ?? []).map((p) => p.dimensions.find((d) => d.key === k)?.score ?? null) })),
    }),
    [trend.data, t],
  );
  return (
    <Card title={t('orderReview.scoreTitle')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <TreeSelect style={{ width: 220 }} treeData={tree} treeDefaultExpandAll value={shop} onChange={(v: string) => setUnitId(v)} data-testid="score-unit" />
        <DatePicker allowClear={false} value={dayjs(asOf)} onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))} data-testid="score-date" />
      </Space>
      {!score.data ? (
        <Skeleton active />
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t('orderReview.scoreWindow', { from: score.data.from, to: score.data.to })}</Typography.Paragraph>
          <Row gutter={[16, 16]}>
            {score.data.dimensions.map((d) => (
              <Col xs={24} md={8} key={d.key}>
                <Card data-testid={`score-${d.key}`}>
                  <Statistic title={t(`orderReview.dim.${d.key}`)} value={d.score === null ? '—' : d.score.toFixed(2)} suffix={d.score === null ? undefined : '/ 5'} />
                  <Typography.Text type="secondary">{t('orderReview.countedN', { n: d.count })}</Typography.Text>
                </Card>
              </Col>
            ))}
          </Row>
          <Typography.Paragraph style={{ marginTop: 12 }} data-testid="score-counts">
            {t('orderReview.scoreCounts', { counted: score.data.countedRatings, uncounted: score.data.uncountedRatings })}
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
