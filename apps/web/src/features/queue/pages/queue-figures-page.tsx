import { DownloadOutlined } from '@ant-design/icons';
import { QUEUE_FIGURE_GROUPS, type TQueueFigures, type TQueueFiguresQuery } from '@huifang/shared';
import { useQuery } from '@tanstack/react-query';
import { Card, Segmented, Space, Table, Tooltip } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';

const RANGES = [1, 7, 30] as const;
const min = (s: number | null) => (s === null ? '—' : (s / 60).toFixed(1));
const figuresUrl = (q: TQueueFiguresQuery, xlsx = false) => `/queue/figures${xlsx ? '.xlsx' : ''}${qs(q)}`;

/** 排队统计: taken / served / abandoned, waits and handling per outlet, type, counter or hour; heat map; rating by wait. */
export function QueueFiguresPage() {
  const { t } = useTranslation();
  const [groupBy, setGroupBy] = useState<TQueueFiguresQuery['groupBy']>('outlet');
  const [days, setDays] = useState<(typeof RANGES)[number]>(7);
  const q = useMemo<TQueueFiguresQuery>(() => {
    const to = new Date();
    to.setHours(24, 0, 0, 0);
    return { groupBy, from: new Date(to.getTime() - days * 86400_000).toISOString(), to: to.toISOString() };
  }, [groupBy, days]);
  const figures = useQuery({ queryKey: ['queue', 'figures', q], queryFn: () => get<TQueueFigures>(figuresUrl(q)) });
  const f = figures.data;
  const maxHeat = Math.max(1, ...(f?.heatmap ?? []).map((h) => h.taken));
  const hours = [...new Set((f?.heatmap ?? []).map((h) => h.hour))].sort((a, b) => a - b);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={t('queue.figures.title')}
        extra={
          <DownloadButton icon={<DownloadOutlined />} url={figuresUrl(q, true)} data-testid="queue-figures-xlsx">
            {t('queue.figures.xlsx')}
          </DownloadButton>
        }
      >
        <Space wrap>
          <Segmented
            value={groupBy}
            onChange={(v) => setGroupBy(v as TQueueFiguresQuery['groupBy'])}
            options={QUEUE_FIGURE_GROUPS.map((g) => ({ value: g, label: t(`queue.figures.by.${g}`) }))}
          />
          <Segmented
            value={days}
            onChange={(v) => setDays(v as (typeof RANGES)[number])}
            options={RANGES.map((d) => ({ value: d, label: t('queue.figures.days', { n: d }) }))}
          />
        </Space>
        <Table
          style={{ marginTop: 12 }}
          rowKey="key"
          size="small"
          loading={figures.isLoading}
          pagination={false}
          dataSource={f?.rows ?? []}
          data-testid="queue-figures-table"
          columns={[
            { title: t(`queue.figures.by.${groupBy}`), dataIndex: 'label' },
            { title: t('queue.figures.taken'), dataIndex: 'taken' },
            { title: t('queue.figures.served'), dataIndex: 'served' },
            { title: t('queue.figures.abandoned'), dataIndex: 'abandoned' },
            { title: t('queue.figures.avgWait'), render: (_, r) => min(r.avgWaitSeconds) },
            { title: t('queue.figures.p90Wait'), render: (_, r) => min(r.p90WaitSeconds) },
            { title: t('queue.figures.avgHandling'), render: (_, r) => min(r.avgHandlingSeconds) },
            { title: t('queue.figures.p90Handling'), render: (_, r) => min(r.p90HandlingSeconds) },
          ]}
        />
      </Card>
      <Card size="small" title={t('queue.figures.heatmap')}>
        <table style={{ borderCollapse: 'collapse' }}>
          <thead>
            <tr>
              <th />
              {hours.map((h) => (
                <th key={h} style={{ padding: '0 6px', fontWeight: 400 }}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[1, 2, 3, 4, 5, 6, 7].map((wd) => (
              <tr key={wd}>
                <td style={{ paddingRight: 8 }}>{t(`queue.figures.weekday.${wd}`)}</td>
                {hours.map((h) => {
                  const c = f?.heatmap.find((x) => x.weekday === wd && x.hour === h);
                  return (
                    <Tooltip key={h} title={c ? `${c.taken} · ${min(c.avgWaitSeconds)}′` : undefined}>
                      <td
                        style={{
                          width: 28,
                          height: 22,
                          border: '1px solid #fff',
                          background: c ? `rgba(22, 119, 255, ${0.15 + (0.85 * c.taken) / maxHeat})` : '#f5f5f5',
                        }}
                      />
                    </Tooltip>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card size="small" title={t('queue.figures.byWait')}>
        <Table
          rowKey="band"
          size="small"
          pagination={false}
          dataSource={f?.waitBands ?? []}
          columns={[
            { title: t('queue.figures.waitBand'), render: (_, b) => t('queue.figures.minutes', { band: b.band }) },
            { title: t('queue.figures.rated'), dataIndex: 'rated' },
            { title: t('queue.figures.avgScore'), render: (_, b) => b.avgScore ?? '—' },
            {
              title: t('queue.figures.satisfaction'),
              render: (_, b) => (b.satisfaction === null ? '—' : `${(b.satisfaction * 100).toFixed(2)}%`),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
