import type { TServiceSession } from '@huifang/shared';
import { App, Button, Card, Col, Empty, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { useMe } from '../../auth/api.ts';
import { CounterQueuePanel } from '../../queue/components/counter-queue-panel.tsx';
import { useCounterContext, useSessionActions } from '../api.ts';
import { CustomerPick } from '../components/customer-pick.tsx';
import { PotentialButton } from '../components/potential-button.tsx';

export const fmtDuration = (s: number | null | undefined) =>
  s === null || s === undefined ? '—' : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

/** 柜台服务: compact page for the teller's PC — confirm the counter, start and end each service, today's figures. */
export function CounterPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const ctx = useCounterContext();
  const { start, end } = useSessionActions();
  const [counterId, setCounterId] = useState<string>();
  const [business, setBusiness] = useState<string>();
  const [customerId, setCustomerId] = useState<string>();
  const [tick, setTick] = useState(Date.now());
  useEffect(() => {
    if (!counterId && ctx.data?.defaultCounterId) setCounterId(ctx.data.defaultCounterId);
    if (!business && ctx.data?.businessTypes[0]) setBusiness(ctx.data.businessTypes[0]);
  }, [ctx.data, counterId, business]);
  useEffect(() => {
    const id = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const open = ctx.data?.openSession ?? null;
  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));
  const stats = ctx.data?.stats;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 900 }}>
      <CounterQueuePanel counterId={open?.counterId ?? counterId} isServing={!!open} />
      <Card title={t('counter.title')} loading={ctx.isLoading}>
        {ctx.data && ctx.data.counters.length === 0 ? (
          <Empty description={t('counter.noCounter')} />
        ) : open ? (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Space wrap size="large">
              <Tag color="processing" style={{ fontSize: 16, padding: '4px 10px' }} data-testid="serving-tag">
                {t('counter.serving')}
              </Tag>
              <Typography.Text>
                {open.outletName} {open.counterName}
              </Typography.Text>
              <Typography.Text>{open.businessType}</Typography.Text>
              <Typography.Text type="secondary">
                {t('counter.since', { time: fmtTime(open.startedAt) })}
              </Typography.Text>
              <Typography.Text strong style={{ fontSize: 20 }}>
                {fmtDuration(Math.max(0, Math.round((tick - new Date(open.startedAt).getTime()) / 1000)))}
              </Typography.Text>
            </Space>
            <Space size="middle">
              <Button
                type="primary"
                danger
                size="large"
                data-testid="end-service"
                loading={end.isPending}
                onClick={() => end.mutateAsync(open.id).catch(fail)}
              >
                {t('counter.end')}
              </Button>
              <PotentialButton session={open} size="large" />
            </Space>
          </Space>
        ) : (
          <Space wrap size="middle">
            <Select
              data-testid="counter-select"
              style={{ width: 220 }}
              value={counterId}
              onChange={setCounterId}
              options={(ctx.data?.counters ?? []).map((c) => ({ value: c.id, label: `${c.outletName} ${c.name}` }))}
            />
            <Select
              data-testid="business-select"
              style={{ width: 180 }}
              value={business}
              onChange={setBusiness}
              options={(ctx.data?.businessTypes ?? []).map((b) => ({ value: b, label: b }))}
            />
            <CustomerPick value={customerId} onChange={setCustomerId} />
            <Button
              type="primary"
              size="large"
              data-testid="start-service"
              disabled={!counterId || !business}
              loading={start.isPending}
              onClick={() =>
                counterId &&
                business &&
                start
                  .mutateAsync({ counterId, businessType: business, ...(customerId ? { customerId } : {}) })
                  .then(() => setCustomerId(undefined), fail)
              }
            >
              {t('counter.start')}
            </Button>
          </Space>
        )}
      </Card>
      <Row gutter={12}>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t('counter.servedToday')} value={stats?.servedToday ?? 0} />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic title={t('counter.avgHandling')} value={fmtDuration(stats?.avgHandlingSeconds)} />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic
              title={t('counter.avgScore')}
              value={stats?.avgScoreToday ?? '—'}
              suffix={stats?.ratedToday ? t('counter.ofRated', { n: stats.ratedToday }) : undefined}
            />
          </Card>
        </Col>
        <Col span={6}>
          <Card size="small">
            <Statistic
              title={t('counter.unsatisfied')}
              value={stats?.unsatisfiedToday ?? 0}
              valueStyle={stats?.unsatisfiedToday ? { color: '#cf1322' } : undefined}
            />
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={t('counter.recent')}
        extra={me && <Link to={`/evaluations?staffId=${me.user.id}&channel=kiosk`}>{t('counter.myEvaluations')}</Link>}
      >
        <Table<TServiceSession>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={ctx.data?.recent ?? []}
          columns={[
            { title: t('counter.startedAt'), render: (_, s) => fmtTime(s.startedAt) },
            { title: t('counter.business'), dataIndex: 'businessType' },
            { title: t('counter.handling'), render: (_, s) => fmtDuration(s.handlingSeconds) },
            {
              title: t('counter.rating'),
              render: (_, s) =>
                s.evaluationId ? (
                  s.score === null ? (
                    <Tag>{t('counter.unrated')}</Tag>
                  ) : (
                    <Link to={`/evaluations?open=${s.evaluationId}`}>{s.ratingLabel ?? s.score}</Link>
                  )
                ) : (
                  '—'
                ),
            },
            { title: t('counter.potential.column'), render: (_, s) => <PotentialButton session={s} size="small" /> },
          ]}
        />
      </Card>
    </Space>
  );
}
