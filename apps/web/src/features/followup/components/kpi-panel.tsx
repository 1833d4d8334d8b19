import type { TKpiRow } from '@huifang/shared';
import { Card, Col, DatePicker, Row, Select, Space, Spin, Statistic, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { kpiExportUrl, useAllPlans, useKpis } from '../api.ts';
import { PlanMessageStats } from './plan-message-stats.tsx';
import { DownloadButton } from '../../../lib/download-button.tsx';

const KpiChart = lazy(() => import('./kpi-chart.tsx'));
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);

/** KPIs per plan and per agent: coverage, reach rate, completion, on-time rate, satisfaction gained; xlsx export. */
export function KpiPanel() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const f = {
    planId: params.get('planId') ?? undefined,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
  };
  const kpis = useKpis(f);
  const plans = useAllPlans().data ?? [];
  const set = (patch: Record<string, string | undefined>) => {
    const n = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch))
      if (v) n.set(k, v);
      else n.delete(k);
    setParams(n, { replace: true });
  };
  const k = kpis.data;
  const rows = useMemo(() => (k ? k.byAgent.slice(0, 12) : []), [k]);
  const series = useMemo(
    () => [
      { name: t('followup.kpi.coverage'), data: rows.map((r) => r.coverage) },
      { name: t('followup.kpi.reachRate'), data: rows.map((r) => r.reachRate) },
      { name: t('followup.kpi.completion'), data: rows.map((r) => r.completion) },
      { name: t('followup.kpi.onTimeRate'), data: rows.map((r) => r.onTimeRate) },
    ],
    [rows, t],
  );
  const labels = useMemo(() => rows.map((r) => (r.key === 'team' ? t('followup.tasks.team') : r.label)), [rows, t]);
  const columns = [
    {
      title: t('common.name'),
      dataIndex: 'label',
      render: (v: string, r: TKpiRow) =>
        r.key === 'total' ? t('followup.kpi.total') : r.key === 'team' ? t('followup.tasks.team') : v,
    },
    { title: t('followup.kpi.due'), dataIndex: 'due' },
    { title: t('followup.kpi.attempted'), dataIndex: 'attempted' },
    { title: t('followup.kpi.coverage'), dataIndex: 'coverage', render: pct },
    { title: t('followup.kpi.reachRate'), dataIndex: 'reachRate', render: pct },
    { title: t('followup.kpi.completion'), dataIndex: 'completion', render: pct },
    { title: t('followup.kpi.onTimeRate'), dataIndex: 'onTimeRate', render: pct },
    { title: t('followup.kpi.satisfactionCount'), dataIndex: 'satisfactionCount' },
    {
      title: t('followup.kpi.avgSatisfaction'),
      dataIndex: 'avgSatisfaction',
      render: (v: number | null) => (v === null ? '—' : v.toFixed(2)),
    },
  ];
  const range = (d: [Dayjs | null, Dayjs | null] | null) =>
    set({ from: d?.[0]?.format('YYYY-MM-DD'), to: d?.[1]?.format('YYYY-MM-DD') });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          allowClear
          placeholder={t('followup.tasks.plan')}
          style={{ width: 240 }}
          value={f.planId}
          onChange={(v?: string) => set({ planId: v })}
          options={plans.map((p) => ({ value: p.id, label: p.name }))}
          data-testid="kpi-plan"
        />
        <DatePicker.RangePicker
          value={[f.from ? dayjs(f.from) : null, f.to ? dayjs(f.to) : null]}
          allowEmpty={[true, true]}
          onChange={(d) => range(d as [Dayjs | null, Dayjs | null] | null)}
        />
        <span>{t('followup.kpi.rangeHint')}</span>
        <DownloadButton url={kpiExportUrl(f)} data-testid="kpi-export">
          {t('followup.kpi.export')}
        </DownloadButton>
      </Space>
      <PlanMessageStats planId={f.planId} />
      <Spin spinning={kpis.isFetching}>
        {k && (
          <Row gutter={12} data-testid="kpi-total">
            <Col xs={12} md={4}>
              <Statistic title={t('followup.kpi.due')} value={k.total.due} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('followup.kpi.coverage')} value={pct(k.total.coverage)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('followup.kpi.reachRate')} value={pct(k.total.reachRate)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('followup.kpi.completion')} value={pct(k.total.completion)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('followup.kpi.onTimeRate')} value={pct(k.total.onTimeRate)} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic
                title={t('followup.kpi.satisfaction')}
                value={
                  k.total.avgSatisfaction === null
                    ? '—'
                    : `${k.total.avgSatisfaction.toFixed(2)} (${k.total.satisfactionCount})`
                }
              />
            </Col>
          </Row>
        )}
      </Spin>
      <Card size="small" title={t('followup.kpi.byPlan')}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          dataSource={k?.byPlan ?? []}
          columns={columns}
          data-testid="kpi-by-plan"
          scroll={{ x: 900 }}
        />
      </Card>
      <Card size="small" title={t('followup.kpi.byAgent')}>
        <Row gutter={12}>
          <Col xs={24} lg={14}>
            <Table
              size="small"
              rowKey="key"
              pagination={false}
              dataSource={k?.byAgent ?? []}
              columns={columns}
              scroll={{ x: 900 }}
            />
          </Col>
          <Col xs={24} lg={10}>
            {rows.length > 0 && (
              <Suspense fallback={<Spin />}>
                <KpiChart labels={labels} series={series} />
              </Suspense>
            )}
          </Col>
        </Row>
      </Card>
    </Space>
  );
}
