import { PrinterOutlined } from '@ant-design/icons';
import { ANALYTICS_TILE_KEYS, DASHBOARD_PERIODS, type TDashboardPeriod, type TReportSummary } from '@huifang/shared';
import { Alert, Button, DatePicker, Segmented, Space, Spin, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { TIME_ZONE } from '../../../lib/format.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { useReportSummary } from '../api.ts';
import { fmtPct, fmtSeconds } from './staff-performance-page.tsx';
import './print-report.css';

const isPeriod = (v: string | null): v is TDashboardPeriod => DASHBOARD_PERIODS.includes(v as TDashboardPeriod);

/**
 * 报表打印: the 驾驶舱 figures with 环比/同比, the unit ranking and the staff performance of a unit and period, laid out
 * for A4. Print CSS (print-report.css) drops the shell's menu and header and this page's controls, one section a page.
 */
export function PrintReportPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const unitId = params.get('unitId') ?? undefined;
  const period = isPeriod(params.get('period')) ? (params.get('period') as TDashboardPeriod) : 'month';
  const date = params.get('date') ?? dayjs().tz(TIME_ZONE).format('YYYY-MM-DD');
  const summary = useReportSummary({ ...(unitId ? { unitId } : {}), period, date });
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  return (
    <div>
      <Space wrap className="hf-no-print" style={{ marginBottom: 16 }}>
        {tree.length > 0 && (
          <TreeSelect
            placeholder={t('reports.unit')}
            allowClear
            treeData={tree}
            value={unitId}
            onChange={(v?: string) => set('unitId', v)}
            treeDefaultExpandAll
            style={{ width: 240 }}
            showSearch
            treeNodeFilterProp="title"
          />
        )}
        <Segmented
          value={period}
          onChange={(v) => set('period', String(v))}
          options={DASHBOARD_PERIODS.map((p) => ({ value: p, label: t(`reports.period.${p}`) }))}
        />
        <DatePicker value={dayjs(date)} allowClear={false} onChange={(d) => d && set('date', d.format('YYYY-MM-DD'))} />
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="print-button">
          {t('reports.print')}
        </Button>
      </Space>
      {summary.isError && (
        <Alert className="hf-no-print" type="error" showIcon message={errorText(summary.error, i18n.language)} />
      )}
      {summary.isLoading && <Spin style={{ display: 'block', margin: '64px auto' }} />}
      {summary.data && <ReportSheet data={summary.data} />}
    </div>
  );
}

function ReportSheet({ data }: { data: TReportSummary }) {
  const { t, i18n } = useTranslation();
  const d = data.dashboard;
  const day = (s: string) =>
    i18n.language === 'zh-CN' ? dayjs(s).format('YYYY年M月D日') : dayjs(s).format('YYYY-MM-DD');
  const span = (r: { fromDay: string; toDay: string }) =>
    `${day(r.fromDay)} – ${day(dayjs(r.toDay).subtract(1, 'day').format('YYYY-MM-DD'))}`;
  const value = (key: string, v: number | null) =>
    v === null
      ? '—'
      : key === 'satisfactionRate'
        ? fmtPct(v)
        : key === 'avgHandlingSeconds'
          ? fmtSeconds(v)
          : String(v);
  const change = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(1)}%`);
  const tiles = ANALYTICS_TILE_KEYS.flatMap((k) => d.tiles.filter((x) => x.key === k));
  return (
    <div className="hf-print-sheet" data-testid="print-sheet">
      <section className="hf-print-section">
        <h1>{t('reports.printTitle', { unit: data.unitName })}</h1>
        <div className="hf-print-meta">
          {t(`reports.period.${d.period}`)}：{span(d.current)} · {t('reports.printedAt')}：
          {day(dayjs().tz(TIME_ZONE).format('YYYY-MM-DD'))}
        </div>
        <h2>{t('reports.figures')}</h2>
        <table className="hf-print-table" data-testid="print-figures">
          <thead>
            <tr>
              <th>{t('reports.figure')}</th>
              <th>{t('reports.current')}</th>
              <th>{t('reports.previous')}</th>
              <th>{t('reports.mom')}</th>
              <th>{t('reports.lastYear')}</th>
              <th>{t('reports.yoy')}</th>
            </tr>
          </thead>
          <tbody>
            {tiles.map((x) => (
              <tr key={x.key}>
                <td>{t(`reports.tile.${x.key}`)}</td>
                <td className="num">{value(x.key, x.value)}</td>
                <td className="num">{value(x.key, x.previous)}</td>
                <td className="num">{change(x.changePct)}</td>
                <td className="num">{value(x.key, x.lastYear)}</td>
                <td className="num">{change(x.yoyPct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p style={{ fontSize: 12, color: '#666' }}>
          {t('reports.previous')}：{span(d.previous)}；{t('reports.lastYear')}：{span(d.lastYear)}
        </p>
      </section>
      <section className="hf-print-section">
        <h2>{t('reports.ranking')}</h2>
        {d.ranking.length === 0 ? (
          <p>{t('reports.noRanking')}</p>
        ) : (
          <table className="hf-print-table" data-testid="print-ranking">
            <thead>
              <tr>
                <th>{t('reports.rank')}</th>
                <th>{t('reports.unitName')}</th>
                <th>{t('reports.rated')}</th>
                <th>{t('reports.satisfactionRate')}</th>
                <th>{t('reports.unsatisfied')}</th>
              </tr>
            </thead>
            <tbody>
              {d.ranking.map((r, i) => (
                <tr key={r.unitId}>
                  <td className="num">{i + 1}</td>
                  <td>{r.name}</td>
                  <td className="num">{r.rated}</td>
                  <td className="num">{fmtPct(r.satisfactionRate)}</td>
                  <td className="num">{r.unsatisfied}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="hf-print-section">
        <h2>{t('reports.staffSection')}</h2>
        <table className="hf-print-table" data-testid="print-staff">
          <thead>
            <tr>
              {[
                'staffNo',
                'staffName',
                'unitName',
                'evaluations',
                'satisfactionRate',
                'avgScore',
                'unsatisfied',
                'sessions',
                'avgHandling',
                'followupsDone',
                'complaintsAtFault',
              ].map((k) => (
                <th key={k}>{t(`reports.${k}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.staff.rows.map((r) => (
              <tr key={r.staffId}>
                <td>{r.staffNo ?? ''}</td>
                <td>{r.staffName ?? ''}</td>
                <td>{r.unitName ?? ''}</td>
                <td className="num">{r.evaluations}</td>
                <td className="num">{fmtPct(r.satisfactionRate)}</td>
                <td className="num">{r.avgScore?.toFixed(2) ?? '—'}</td>
                <td className="num">{r.unsatisfied}</td>
                <td className="num">{r.sessions}</td>
                <td className="num">{fmtSeconds(r.avgHandlingSeconds)}</td>
                <td className="num">{r.followupsDone}</td>
                <td className="num">{r.complaintsAtFault}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
