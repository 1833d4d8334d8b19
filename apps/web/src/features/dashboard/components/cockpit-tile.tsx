import type { TAnalyticsTile, TAnalyticsTileKey } from '@huifang/shared';
import { Card, Space, Statistic, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** Figures where a rise is bad news (red arrow up). */
const LOWER_IS_BETTER = new Set<TAnalyticsTileKey>([
  'unsatisfied',
  'avgHandlingSeconds',
  'ticketsReceived',
  'slaBreaches',
]);
/** Figures in percent (one decimal). */
const PERCENT = new Set<TAnalyticsTileKey>([
  'satisfactionRate',
  'csat',
  'followupCoverage',
  'followupReach',
  'followupCompletion',
]);

export function formatTile(key: TAnalyticsTileKey, v: number | null): string {
  if (v === null) return '—';
  if (PERCENT.has(key)) return `${v}%`;
  if (key === 'avgHandlingSeconds') return String(Math.round(v / 6) / 10);
  if (key === 'nps' && v > 0) return `+${v}`;
  return String(v);
}

/**
 * The page behind a tile: the period's evaluations (open appeals for the pending ones), the survey list, the counter or service report, the follow-up
 * workbench (own) or the team's tasks / KPIs of the period, the tickets, the customer value page.
 */
export function tileLink(key: TAnalyticsTileKey, personal: boolean, evaluations: string, tasks: string): string {
  switch (key) {
    case 'satisfactionRate':
    case 'unsatisfied':
    case 'evaluations':
      return evaluations;
    case 'satisfactionIndex':
    case 'csat':
    case 'nps':
      return '/surveys';
    case 'sessions':
    case 'avgHandlingSeconds':
      return personal ? '/counter' : '/service-report';
    case 'followupOverdue':
      return personal ? '/followup/workbench' : '/followup/tasks?bucket=overdue';
    case 'followupDue':
      // The team's tasks counted in the figure: due window opening in the period.
      return personal ? '/followup/workbench' : tasks;
    case 'followupCoverage':
    case 'followupReach':
    case 'followupCompletion':
      // The KPIs of the same tasks (the KPI tab reads the same from / to).
      return personal ? '/followup/workbench' : `${tasks}${tasks.includes('?') ? '&' : '?'}tab=kpis`;
    case 'openTickets':
    case 'ticketsReceived':
    case 'slaBreaches':
      return '/tickets';
    case 'churnWarnings':
      return '/value';
    case 'appealsPending':
      return '/evaluations?appeal=open';
    case 'appealsDecided':
      return evaluations;
  }
}

function Change({
  label,
  pct,
  lowerIsBetter,
  testId,
}: {
  label: string;
  pct: number | null;
  lowerIsBetter: boolean;
  testId: string;
}) {
  if (pct === null) return <Tag data-testid={testId}>{label} —</Tag>;
  const up = pct > 0;
  const good = pct === 0 ? null : up !== lowerIsBetter;
  return (
    <Tag color={good === null ? 'default' : good ? 'green' : 'red'} data-testid={testId}>
      {label} {pct === 0 ? '→' : up ? '↑' : '↓'}
      {Math.abs(pct)}%
    </Tag>
  );
}

/** One 驾驶舱 figure: its value, 环比 / 同比 badges (a snapshot says so instead), a link to the page behind it. */
export function CockpitTile({ tile, prefix, to }: { tile: TAnalyticsTile; prefix: string; to: string }) {
  const { t } = useTranslation();
  const x = tile;
  return (
    <Link to={to} data-testid={`cockpit-${x.key}-link`}>
      <Card size="small" hoverable data-testid={`cockpit-${x.key}`}>
        <Statistic
          title={t(`${prefix}${x.key}`)}
          value={formatTile(x.key, x.value)}
          suffix={x.key === 'avgHandlingSeconds' && x.value !== null ? t('dashboard.minutesUnit') : undefined}
        />
        {x.snapshot ? (
          <Tag data-testid={`cockpit-${x.key}-snapshot`}>{t('cockpit.snapshot')}</Tag>
        ) : (
          <Space size={4} wrap>
            <Change
              label={t('cockpit.mom')}
              pct={x.changePct}
              lowerIsBetter={LOWER_IS_BETTER.has(x.key)}
              testId={`cockpit-${x.key}-mom`}
            />
            <Change
              label={t('cockpit.yoy')}
              pct={x.yoyPct}
              lowerIsBetter={LOWER_IS_BETTER.has(x.key)}
              testId={`cockpit-${x.key}-yoy`}
            />
          </Space>
        )}
      </Card>
    </Link>
  );
}
