import type { TFeedbackSummary } from '@huifang/shared';
import { Card, Col, Row, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Counts per category and sentiment, the correction count and rate, and the topics most talked about. */
export function SummaryTiles({ summary }: { summary: TFeedbackSummary | undefined }) {
  const { t } = useTranslation();
  if (!summary) return <Skeleton active paragraph={{ rows: 2 }} />;
  const tiles: { key: string; value: number | string; suffix?: string; color?: string }[] = [
    { key: 'total', value: summary.total },
    { key: 'complaint', value: summary.byCategory.complaint, color: '#cf1322' },
    { key: 'suggestion', value: summary.byCategory.suggestion, color: '#1677ff' },
    { key: 'praise', value: summary.byCategory.praise, color: '#389e0d' },
    { key: 'negative', value: summary.bySentiment.negative },
    { key: 'corrected', value: summary.corrected, suffix: `/ ${Math.round(summary.correctionRate * 1000) / 10}%` },
  ];
  return (
    <>
      <Row gutter={[12, 12]}>
        {tiles.map((x) => (
          <Col key={x.key} xs={12} sm={8} lg={4}>
            <Card size="small" data-testid={`feedback-stat-${x.key}`}>
              <Statistic
                title={t(`feedback.stat.${x.key}`)}
                value={x.value}
                suffix={x.suffix}
                valueStyle={x.color ? { color: x.color } : undefined}
              />
            </Card>
          </Col>
        ))}
      </Row>
      {summary.byTopic.length > 0 && (
        <Space wrap style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t('feedback.topicsTitle')}</Typography.Text>
          {summary.byTopic.map((x) => (
            <Tag key={x.topic}>
              {t(`feedback.topic.${x.topic}`, { defaultValue: x.topic })} {x.count}
            </Tag>
          ))}
        </Space>
      )}
    </>
  );
}
