import { useQueryClient } from '@tanstack/react-query';
import { ATTEMPT_OUTCOMES, CONNECTED_OUTCOMES, type TAttemptOutcome } from '@huifang/shared';
import { App, Button, Card, Col, DatePicker, Descriptions, Empty, Input, List, Rate, Row, Space, Tabs, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';
import { claimTask, FOLLOWUP_KEY, recordAttempt, releaseTask, revealPhone, useMyTasks, useTask } from '../api.ts';

type TBucket = 'today' | 'overdue' | 'upcoming';

/** 回访工作台: my tasks (today / overdue / upcoming); the selected task's customer card, script and one-click outcomes. */
export function WorkbenchPage() {
  const { t } = useTranslation();
  const [bucket, setBucket] = useState<TBucket>('today');
  const [selected, setSelected] = useState<string | null>(null);
  const tasks = useMyTasks(bucket);
  return (
    <Row gutter={16}>
      <Col xs={24} md={9}>
        <Card>
          <Tabs activeKey={bucket} onChange={(k) => setBucket(k as TBucket)} items={(['today', 'overdue', 'upcoming'] as const).map((k) => ({ key: k, label: t(`followup.buckets.${k}`) }))} />
          <List
            data-testid="task-list"
            loading={tasks.isLoading}
            dataSource={tasks.data?.items ?? []}
            renderItem={(x) => (
              <List.Item onClick={() => setSelected(x.id)} style={{ cursor: 'pointer', background: x.id === selected ? '#e6f4ff' : undefined }} data-testid={`task-${x.id}`}>
                <List.Item.Meta title={`${x.customerName} · ${x.planName}`} description={`${t('followup.due')} ${fmtTime(x.dueUntil)} · ${x.customerPhone ?? ''}`} />
                <Tag color={x.isOverdue ? 'red' : 'blue'}>{t(`followup.states.${x.state}`)}</Tag>
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} md={15}>{selected ? <TaskPanel id={selected} /> : <Card><Empty description={t('followup.empty')} /></Card>}</Col>
    </Row>
  );
}

function TaskPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const task = useTask(id);
  const [phone, setPhone] = useState<string | null>(null);
  const [satisfaction, setSatisfaction] = useState<number>(0);
  const [notes, setNotes] = useState('');
  const [nextDate, setNextDate] = useState<Dayjs | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await refresh();
    } catch (e) {
      void message.error(e instanceof ApiError ? e.message : String(e));
    }
  };
  const d = task.data;
  if (!d) return <Card loading />;
  const isMine = d.state === 'in_progress';
  const outcome = (o: TAttemptOutcome) =>
    run(async () => {
      const connected = (CONNECTED_OUTCOMES as readonly string[]).includes(o);
      await recordAttempt(id, {
        channel: d.methods[0] ?? 'phone',
        outcome: o,
        reachedWhom: connected ? 'customer' : null,
        satisfaction: connected && satisfaction ? satisfaction : null,
        notes: notes || null,
        nextAction: 'close',
        nextFollowupDate: nextDate ? nextDate.format('YYYY-MM-DD') : null,
      });
      void message.success(t('followup.recorded'));
    });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title={`${t('followup.customer')}: ${d.customer.name}`} extra={<Tag>{t(`followup.states.${d.state}`)}</Tag>}>
        <Descriptions column={2} size="small">
          <Descriptions.Item label="☎">
            <Space>
              <span data-testid="phone">{phone ?? d.customer.phones[0] ?? '—'}</span>
              {phone ? <a href={`tel:${phone}`} data-testid="call">{t('followup.call')}</a> : <Button size="small" onClick={() => void run(async () => setPhone((await revealPhone(id)).value))}>{t('followup.reveal')}</Button>}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label="Tier">{d.customer.tier ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('followup.due')}>{fmtTime(d.dueFrom)} ~ {fmtTime(d.dueUntil)}</Descriptions.Item>
          <Descriptions.Item label="#">{d.attempts} / {d.maxAttempts}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('followup.script')}>
        <Typography.Paragraph data-testid="script">{d.script}</Typography.Paragraph>
      </Card>
      <Card>
        {!isMine ? (
          <Button type="primary" data-testid="claim" onClick={() => void run(() => claimTask(id))} disabled={!['pending', 'follow_up'].includes(d.state)}>{t('followup.claim')}</Button>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Space>{t('followup.satisfaction')} <Rate value={satisfaction} onChange={setSatisfaction} /></Space>
            <Input.TextArea placeholder={t('followup.notes')} value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} />
            <Space>{t('followup.nextDate')} <DatePicker value={nextDate} onChange={setNextDate} /></Space>
            <Space wrap>
              {ATTEMPT_OUTCOMES.map((o) => (
                <Button key={o} data-testid={`outcome-${o}`} type={o === 'reached' ? 'primary' : 'default'} onClick={() => void outcome(o)}>{t(`followup.outcomes.${o}`)}</Button>
              ))}
              <Button onClick={() => void run(() => releaseTask(id))}>{t('followup.release')}</Button>
            </Space>
          </Space>
        )}
      </Card>
      <Card title={t('followup.history')}>
        <List size="small" dataSource={d.attemptsList} renderItem={(a) => <List.Item>{fmtTime(a.at)} · {t(`followup.outcomes.${a.outcome}`)} {a.satisfaction ? `· ${a.satisfaction}/5` : ''} {a.notes ?? ''}</List.Item>} />
      </Card>
    </Space>
  );
}
