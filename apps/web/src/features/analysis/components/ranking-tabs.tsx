import { RANKING_KINDS, RANKING_MIN_RATED, type TRankingKind, type TRankingRow } from '@huifang/shared';
import { Card, Col, Empty, InputNumber, List, Row, Space, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { evaluationsLink, useRanking, type TAnalysisParams } from '../api.ts';

function RankList({ rows, testId }: { rows: TRankingRow[]; testId: string }) {
  const { t } = useTranslation();
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('analysis.noRanked')} />;
  return (
    <List
      size="small"
      data-testid={testId}
      dataSource={rows}
      renderItem={(r, i) => (
        <List.Item
          extra={
            <Typography.Text type="secondary">
              {r.satisfactionRate === null ? '—' : `${r.satisfactionRate}%`} · {t('analysis.col.rated')} {r.rated} ·{' '}
              {t('analysis.col.unsatisfied')} {r.unsatisfied}
            </Typography.Text>
          }
        >
          <Link to={evaluationsLink(r.drill)} data-testid={`${testId}-item`}>
            {i + 1}. {r.name}
          </Link>
        </List.Item>
      )}
    />
  );
}

/** 满意度排名 of staff, counters, outlets and branches: worst and best, only rows with the minimum sample. */
export function RankingTabs({ params }: { params: TAnalysisParams }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<TRankingKind>('outlet');
  const [minRated, setMinRated] = useState(RANKING_MIN_RATED);
  const { data } = useRanking(params, kind, minRated);
  return (
    <Card
      size="small"
      title={t('analysis.rankingTitle')}
      data-testid="analysis-ranking"
      extra={
        <Space>
          {t('analysis.minRated')}
          <InputNumber
            min={1}
            max={10000}
            value={minRated}
            onChange={(v) => setMinRated(v ?? RANKING_MIN_RATED)}
            data-testid="analysis-min-rated"
          />
        </Space>
      }
    >
      <Tabs
        activeKey={kind}
        onChange={(k) => setKind(k as TRankingKind)}
        items={RANKING_KINDS.map((k) => ({ key: k, label: t(`analysis.rankingKinds.${k}`) }))}
      />
      <Typography.Paragraph type="secondary" data-testid="analysis-ranking-help">
        {t('analysis.minRatedHelp', { n: minRated, unranked: data?.unranked ?? 0 })}
      </Typography.Paragraph>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t('analysis.worst')}</Typography.Title>
          <RankList rows={data?.worst ?? []} testId="analysis-worst" />
        </Col>
        <Col xs={24} md={12}>
          <Typography.Title level={5}>{t('analysis.best')}</Typography.Title>
          <RankList rows={data?.best ?? []} testId="analysis-best" />
        </Col>
      </Row>
    </Card>
  );
}
