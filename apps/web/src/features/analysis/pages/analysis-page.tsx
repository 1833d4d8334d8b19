import { DownloadOutlined } from '@ant-design/icons';
import { ANALYSIS_GROUPS, type TAnalysisRow } from '@huifang/shared';
import { Alert, Card, Empty, Skeleton, Space, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { qs } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { TIME_ZONE } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { evaluationsLink, tasksLink, ticketsLink, useAnalysis, type TAnalysisParams } from '../api.ts';
import { AnalysisFilters } from '../components/analysis-filters.tsx';
import { VALUE_GROUPS } from '../components/value-filters.tsx';
import { RankingTabs } from '../components/ranking-tabs.tsx';

const AnalysisChart = lazy(() => import('../components/analysis-chart.tsx'));

const KEYS = [
  'unitId',
  'staffId',
  'counterId',
  'channel',
  'businessType',
  'surveyId',
  'dimension',
  'granularity',
  'preset',
  'from',
  'to',
  'groupBy',
  'tier',
  'lifecycle',
  'ruleClass',
] as const;
const num = (v: number | null) => (v === null ? '—' : v);
const dayBound = (day: string, end: boolean) => {
  const d = dayjs.tz(day, TIME_ZONE);
  return (end ? d.endOf('day') : d).toISOString();
};

/**
 * 统计分析: the caller's figures cut by unit, staff, counter, channel, business type, period or survey dimension, as a
 * chart and a table with links to the facts behind each row, the 满意度排名, and an xlsx export of the same rows.
 * Every filter is in the URL, so a view can be bookmarked or linked.
 */
export function AnalysisPage() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const [search, setSearch] = useSearchParams();
  const params = useMemo(
    () =>
      Object.fromEntries(
        KEYS.map((k) => [k, search.get(k) ?? undefined]).filter(([, v]) => v !== undefined),
      ) as TAnalysisParams,
    [search],
  );
  const set = (changes: TAnalysisParams) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSearch(next, { replace: true });
  };
  const { data, error, isFetching } = useAnalysis(params);
  const groupBy = data?.groupBy ?? 'unit';
  const label = useCallback(
    (r: TAnalysisRow) => {
      if (r.key === null) return VALUE_GROUPS.includes(groupBy) ? t('analysis.unclassified') : t('analysis.none');
      if (groupBy === 'lifecycle') return t(`analysis.lifecycles.${r.key}`);
      if (groupBy === 'channel') return t(`evaluation.channels.${r.key}`);
      return r.label;
    },
    [groupBy, t],
  );
  const canTickets = can(me, 'ticket:read');
  // A customer-value cut (客户分级 …) asked for, and the tenant has no finished value run: nothing to cut by.
  const valueCutAsked =
    VALUE_GROUPS.includes(params.groupBy ?? '') || !!(params.tier || params.lifecycle || params.ruleClass);
  const noValueRun = !!data && valueCutAsked && !data.valueCut;
  const canTasks = can(me, 'followup:read');

  return (
    <Card
      title={t('analysis.title')}
      extra={
        <DownloadButton
          icon={<DownloadOutlined />}
          url={`/analytics/analysis/export${qs(params)}`}
          data-testid="analysis-export"
        >
          {t('analysis.export')}
        </DownloadButton>
      }
    >
      <AnalysisFilters params={params} set={set} reset={() => setSearch(new URLSearchParams(), { replace: true })} />
      {error && <Alert type="error" showIcon title={errorText(error, i18n.language)} style={{ marginBottom: 16 }} />}
      {data && (
        <Typography.Paragraph type="secondary" data-testid="analysis-range-text">
          {data.unit.name} · {t('analysis.range', { from: data.from, to: data.to })} ·{' '}
          {t(`analysis.groups.${ANALYSIS_GROUPS.includes(groupBy) ? groupBy : 'unit'}`)}
          {data.valueCut && (
            <span data-testid="analysis-value-asof">
              {' · '}
              {t('analysis.valueAsOf', {
                at: dayjs(data.valueCut.finishedAt).tz(TIME_ZONE).format('YYYY-MM-DD HH:mm'),
              })}
            </span>
          )}
        </Typography.Paragraph>
      )}
      {!data ? (
        !error && <Skeleton active />
      ) : noValueRun ? (
        <Empty
          data-testid="analysis-no-value-run"
          description={
            <>
              <Typography.Text strong>{t('analysis.noValueRun')}</Typography.Text>
              <br />
              <Typography.Text type="secondary">{t('analysis.noValueRunHelp')}</Typography.Text>
            </>
          }
        />
      ) : (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          <Suspense fallback={<Skeleton active />}>
            <AnalysisChart data={data} label={label} />
          </Suspense>
          <Table<TAnalysisRow>
            rowKey={(r) => r.key ?? '—'}
            size="small"
            loading={isFetching}
            dataSource={data.rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="analysis-table"
            summary={() => (
              <Table.Summary.Row data-testid="analysis-total">
                {[
                  t('analysis.total'),
                  num(data.total.evaluations),
                  num(data.total.rated),
                  data.total.satisfactionRate === null ? '—' : `${data.total.satisfactionRate}%`,
                  num(data.total.avgScore),
                  num(data.total.unsatisfied),
                  num(data.total.unrated),
                  num(data.total.excluded),
                  num(data.total.sessions),
                  data.total.avgHandlingSeconds === null ? '—' : Math.round(data.total.avgHandlingSeconds / 6) / 10,
                  ...(canTickets ? [num(data.total.ticketsReceived), num(data.total.slaBreaches)] : []),
                  ...(params.surveyId ? [num(data.total.surveyResponses), num(data.total.surveyMean)] : []),
                  '',
                ].map((v, i) => (
                  <Table.Summary.Cell key={i} index={i}>
                    {i === 0 ? <b>{v}</b> : v}
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )}
            columns={[
              { title: t(`analysis.groups.${groupBy}`), key: 'label', render: (_: unknown, r) => label(r) },
              { title: t('analysis.col.evaluations'), dataIndex: 'evaluations', render: num },
              { title: t('analysis.col.rated'), dataIndex: 'rated', render: num },
              {
                title: t('analysis.col.satisfactionRate'),
                dataIndex: 'satisfactionRate',
                render: (v: number | null) => (v === null ? '—' : `${v}%`),
              },
              { title: t('analysis.col.avgScore'), dataIndex: 'avgScore', render: num },
              { title: t('analysis.col.unsatisfied'), dataIndex: 'unsatisfied', render: num },
              { title: t('analysis.col.unrated'), dataIndex: 'unrated', render: num },
              { title: t('analysis.col.excluded'), dataIndex: 'excluded', render: num },
              { title: t('analysis.col.sessions'), dataIndex: 'sessions', render: num },
              {
                title: t('analysis.col.avgHandling'),
                dataIndex: 'avgHandlingSeconds',
                render: (v: number | null) => (v === null ? '—' : Math.round(v / 6) / 10),
              },
              ...(canTickets
                ? [
                    { title: t('analysis.col.tickets'), dataIndex: 'ticketsReceived', render: num },
                    { title: t('analysis.col.slaBreaches'), dataIndex: 'slaBreaches', render: num },
                  ]
                : []),
              ...(params.surveyId
                ? [
                    { title: t('analysis.col.surveyResponses'), dataIndex: 'surveyResponses', render: num },
                    { title: t('analysis.col.surveyMean'), dataIndex: 'surveyMean', render: num },
                  ]
                : []),
              {
                title: t('analysis.col.links'),
                key: 'links',
                render: (_: unknown, r) =>
                  r.drill && (
                    <Space size="small">
                      <Link to={evaluationsLink(r.drill)} data-testid="analysis-row-unsatisfied">
                        {t('analysis.evaluationsLink')}
                      </Link>
                      <Link to={evaluationsLink(r.drill, null)}>{t('analysis.allLink')}</Link>
                      {r.ticketsReceived !== null && r.drill.unitId && (
                        <Link to={ticketsLink(r.drill, dayBound)}>{t('analysis.ticketsLink')}</Link>
                      )}
                      {canTasks && !valueCutAsked && (groupBy === 'unit' || groupBy === 'period') && (
                        <Link to={tasksLink(r.drill)} data-testid="analysis-row-tasks">
                          {t('analysis.tasksLink')}
                        </Link>
                      )}
                    </Space>
                  ),
              },
            ]}
          />
          {/* The 满意度排名 is by staff, counter and unit of every rating: not cut by customer value. */}
          {!valueCutAsked && <RankingTabs params={params} />}
        </Space>
      )}
    </Card>
  );
}
