import type { TAnalysis, TAnalysisRow } from '@huifang/shared';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { EChart, type TChartClick } from '../../../lib/echart.tsx';
import { evaluationsLink } from '../api.ts';

/**
 * The rows of the analysis as ECharts: lines over period buckets, bars for any other cut — evaluations and 不满意 on
 * the left axis, satisfaction rate on the right (survey dimensions: responses and mean). Clicking a point or bar opens
 * the 不满意 evaluations behind it. Lazy-loaded with echarts itself.
 */
export default function AnalysisChart({ data, label }: { data: TAnalysis; label: (r: TAnalysisRow) => string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const kind = data.groupBy === 'period' ? 'line' : 'bar';
  const option = useMemo(() => {
    const rows = data.rows;
    const isDimension = data.groupBy === 'dimension';
    const series = isDimension
      ? [
          { name: t('analysis.col.surveyResponses'), type: 'bar', data: rows.map((r) => r.surveyResponses) },
          { name: t('analysis.col.surveyMean'), type: 'bar', yAxisIndex: 1, data: rows.map((r) => r.surveyMean) },
        ]
      : [
          { name: t('analysis.col.evaluations'), type: kind, data: rows.map((r) => r.evaluations) },
          { name: t('analysis.col.unsatisfied'), type: kind, data: rows.map((r) => r.unsatisfied) },
          {
            name: t('analysis.col.satisfactionRate'),
            type: 'line',
            yAxisIndex: 1,
            connectNulls: true,
            data: rows.map((r) => r.satisfactionRate),
          },
        ];
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 50, right: 50, top: 20, bottom: 70 },
      xAxis: {
        type: 'category',
        data: rows.map(label),
        axisLabel: { interval: 0, rotate: rows.length > 8 ? 30 : 0 },
        triggerEvent: true,
      },
      yAxis: [
        { type: 'value', minInterval: 1 },
        isDimension
          ? { type: 'value', min: 0 }
          : { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series,
    };
  }, [data, kind, label, t]);
  const onClick = useCallback(
    (p: TChartClick) => {
      const row =
        p.componentType === 'series' && p.dataIndex !== undefined
          ? data.rows[p.dataIndex]
          : data.rows.find((r) => label(r) === p.value);
      if (row?.drill) void navigate(evaluationsLink(row.drill));
    },
    [data, label, navigate],
  );
  return <EChart option={option} height={320} testId="analysis-chart" onClick={onClick} />;
}
