import type { TSurveyResultsQuery } from '@huifang/shared';
import { Card, Col, DatePicker, Empty, List, Row, Select, Skeleton, Space, Statistic, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { qs } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';
import { useSurvey, useSurveyResults } from '../api.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';

const BarChart = lazy(() => import('../components/bar-chart.tsx'));
const fmt = (v: number | null, suffix = '') => (v === null ? '—' : `${v}${suffix}`);

/** 问卷结果: satisfaction index, CSAT, NPS, response rate, dimension means, per-question distributions, free texts. */
export function SurveyResultsPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const survey = useSurvey(id);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [version, setVersion] = useState<number>();
  const q: TSurveyResultsQuery = {
    ...(range ? { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') } : {}),
    ...(version ? { version } : {}),
  };
  const results = useSurveyResults(id, q);
  const r = results.data;
  const chart = (el: React.ReactNode) => <Suspense fallback={<Skeleton active />}>{el}</Suspense>;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={
          <Space>
            <Link to={`/surveys/${id}`}>{survey.data?.title}</Link>
            <span>· {t('survey.results')}</span>
          </Space>
        }
        extra={
          <Space wrap>
            <DatePicker.RangePicker value={range} onChange={(v) => setRange(v?.[0] && v[1] ? [v[0], v[1]] : null)} />
            <Select
              allowClear
              placeholder={t('survey.allVersions')}
              style={{ width: 140 }}
              value={version}
              onChange={setVersion}
              options={(survey.data?.versions ?? []).map((v) => ({
                value: v.version,
                label: `v${v.version} (${v.responseCount})`,
              }))}
            />
            <DownloadButton url={`/surveys/${id}/results/export${qs(q)}`} data-testid="results-export">
              {t('survey.export')}
            </DownloadButton>
          </Space>
        }
      >
        {!r ? (
          <Skeleton active />
        ) : (
          <Row gutter={16}>
            <Col xs={12} md={6}>
              <Tooltip title={t('survey.indexHelp')}>
                <Statistic title={t('survey.index')} value={fmt(r.satisfactionIndex)} data-testid="kpi-index" />
              </Tooltip>
            </Col>
            <Col xs={12} md={6}>
              <Tooltip title={t('survey.csatHelp')}>
                <Statistic title="CSAT" value={fmt(r.csat, '%')} data-testid="kpi-csat" />
              </Tooltip>
            </Col>
            <Col xs={12} md={6}>
              <Tooltip title={t('survey.npsHelp')}>
                <Statistic title="NPS" value={fmt(r.nps)} data-testid="kpi-nps" />
              </Tooltip>
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('survey.responseRate')}
                value={fmt(r.responseRate, '%')}
                suffix={
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('survey.responsesOf', { n: r.responses, invited: r.invitedResponses, total: r.invitations })}
                  </Typography.Text>
                }
              />
            </Col>
          </Row>
        )}
      </Card>
      {r && r.responses === 0 && (
        <Card>
          <Empty description={t('survey.noResponses')} />
        </Card>
      )}
      {r && r.responses > 0 && (
        <>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Card title={t('survey.dimensionMeans')} size="small">
                {chart(
                  <BarChart
                    testId="chart-dimensions"
                    categories={r.dimensions.map((d) => `${d.name} ${d.weight}%`)}
                    values={r.dimensions.map((d) => d.mean)}
                    max={5}
                  />,
                )}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={t('survey.trend')} size="small">
                {chart(
                  <BarChart
                    kind="line"
                    categories={r.trend.map((x) => x.month)}
                    values={r.trend.map((x) => x.index)}
                    max={100}
                  />,
                )}
              </Card>
            </Col>
          </Row>
          <Row gutter={[16, 16]}>
            {r.questions.map((qq) => (
              <Col xs={24} lg={12} key={qq.key}>
                <Card
                  size="small"
                  title={qq.title}
                  extra={
                    <Typography.Text type="secondary">
                      {t('survey.answered', { n: qq.count })}
                      {qq.mean !== null ? ` · ${t('survey.mean')} ${qq.mean}` : ''}
                    </Typography.Text>
                  }
                >
                  {chart(
                    <BarChart
                      categories={qq.distribution.map((d) => d.label)}
                      values={qq.distribution.map((d) => d.count)}
                      height={200}
                    />,
                  )}
                </Card>
              </Col>
            ))}
          </Row>
          <Card title={t('survey.texts')} size="small">
            <List
              dataSource={r.texts}
              locale={{ emptyText: t('survey.noTexts') }}
              renderItem={(x) => (
                <List.Item>
                  <List.Item.Meta
                    description={fmtTime(x.at)}
                    title={<Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{x.text}</Typography.Text>}
                  />
                </List.Item>
              )}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
