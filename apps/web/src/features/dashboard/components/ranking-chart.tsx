import type { TAnalyticsDashboard } from '@huifang/shared';
import dayjs from 'dayjs';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { EChart, type TChartClick } from '../../../lib/echart.tsx';

/**
 * ECharts bars: 满意度排名 of the units below the caller, worst at the top. Lazy-loaded. Clicking a unit's bar (or
 * its name) opens that unit's 不满意 evaluations of the dashboard's period (counted ones, as the figure counts them).
 */
export default function RankingChart({
  ranking,
  range,
}: {
  ranking: TAnalyticsDashboard['ranking'];
  /** The dashboard's period, local days [fromDay, toDay). */
  range?: TAnalyticsDashboard['current'];
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const rows = useMemo(() => [...ranking].reverse(), [ranking]);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 90, right: 30, top: 10, bottom: 20 },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: rows.map((r) => r.name), triggerEvent: true },
      series: [
        {
          name: t('cockpit.tile.satisfactionRate'),
          type: 'bar',
          // A unit at 0 % keeps a sliver of bar to click.
          barMinHeight: 4,
          data: rows.map((r) => r.satisfactionRate ?? 0),
        },
      ],
    }),
    [rows, t],
  );
  const onClick = useCallback(
    (p: TChartClick) => {
      const unit =
        p.componentType === 'series' && p.dataIndex !== undefined
          ? rows[p.dataIndex]
          : rows.find((r) => r.name === p.value);
      if (!unit) return;
      const q = new URLSearchParams({ unitId: unit.unitId, sentiment: 'unsatisfied', excluded: 'false' });
      if (range) {
        q.set('from', range.fromDay);
        q.set('to', dayjs(range.toDay).subtract(1, 'day').format('YYYY-MM-DD'));
      }
      void navigate(`/evaluations?${q.toString()}`);
    },
    [rows, range, navigate],
  );
  return (
    <EChart
      option={option}
      height={Math.max(120, ranking.length * 32 + 30)}
      testId="cockpit-ranking-chart"
      onClick={onClick}
    />
  );
}
