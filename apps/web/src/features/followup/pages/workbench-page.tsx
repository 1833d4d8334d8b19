import { useQueryClient } from '@tanstack/react-query';
import {
  ATTEMPT_OUTCOMES,
  CONNECTED_OUTCOMES,
  NEXT_ACTIONS,
  REACHED_WHOM,
  TASK_STATES,
  type TAttemptOutcome,
  type TTaskDetail,
} from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Input,
  List,
  Radio,
  Rate,
  Row,
  Select,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';
import {
  claimTask,
  FOLLOWUP_KEY,
  recordAttempt,
  releaseTask,
  revealPhone,
  useAllPlans,
  useMethods,
  useMyTasks,
  useTask,
  type TWorkbenchFilters,
} from '../api.ts';
import { answeredOnly, QuestionnaireFields, type TAnswers } from '../components/questionnaire-fields.tsx';
import { PathPointCard } from '../components/paths-task-point.tsx';

type TBucket = 'today' | 'overdue' | 'upcoming';

/** A task log entry in words: reminders and escalations say which (due / overdue / escalation). */
function eventLabel(t: TFunction, e: TTaskDetail['events'][number]): string {
  const reminder = (e.data as { reminder?: string } | null)?.reminder;
  if (reminder) return t(`followup.reminders.${reminder}`);
  // Provider receipt of an automatic SMS: 已送达 / 未送达.
  if (e.kind === 'message_delivery')
    return t(`followup.delivery.${(e.data as { status?: string } | null)?.status ?? 'delivered'}`);
  return t(`followup.events.${e.kind}`, { defaultValue: e.kind });
}

const OPEN_STATES = TASK_STATES.filter((s) => ['pending', 'in_progress', 'follow_up'].includes(s));
const SORTS = ['priority', 'dueUntil', '-dueUntil'] as const;

/** Search (name or phone fragment), plan / state / method filters and the sort of the workbench list. */
function WorkbenchFilters({ value, onChange }: { value: TWorkbenchFilters; onChange: (f: TWorkbenchFilters) => void }) {
  const { t } = useTranslation();
  const plans = useAllPlans().data ?? [];
  const methods = useMethods().data ?? [];
  const set = (patch: TWorkbenchFilters) => onChange({ ...value, ...patch });
  return (
    <Space wrap size={[8, 8]} style={{ marginBottom: 8 }} data-testid="workbench-filters">
      <Input.Search
        allowClear
        placeholder={t('followup.wb.search')}
        style={{ width: 200 }}
        onSearch={(v) => set({ q: v.trim() || undefined })}
        data-testid="wb-search"
      />
      <Select
        allowClear
        placeholder={t('followup.wb.plan')}
        style={{ width: 150 }}
        value={value.planId}
        onChange={(v?: string) => set({ planId: v })}
        options={plans.map((p) => ({ value: p.id, label: p.name }))}
        showSearch
        optionFilterProp="label"
        data-testid="wb-plan"
      />
      <Select
        allowClear
        placeholder={t('followup.wb.state')}
        style={{ width: 110 }}
        value={value.state}
        onChange={(v?: string) => set({ state: v })}
        options={OPEN_STATES.map((s) => ({ value: s, label: t(`followup.states.${s}`) }))}
        data-testid="wb-state"
      />
      <Select
        allowClear
        placeholder={t('followup.wb.method')}
        style={{ width: 110 }}
        value={value.method}
        onChange={(v?: string) => set({ method: v })}
        options={methods.map((m) => ({ value: m.code, label: m.label }))}
        data-testid="wb-method"
      />
      <Select
        style={{ width: 140 }}
        value={value.sort ?? 'priority'}
        onChange={(v: string) => set({ sort: v })}
        options={SORTS.map((s) => ({ value: s, label: t(`followup.wb.sorts.${s}`) }))}
        data-testid="wb-sort"
      />
    </Space>
  );
}

/** 回访工作台: my tasks (today / overdue / upcoming), searchable and filtered; the selected task's customer card, script and one-click outcomes. */
export function WorkbenchPage() {
  const { t } = useTranslation();
  const [bucket, setBucket] = useState<TBucket>('today');
  // A notification's link (/followup/workbench?taskId=…) opens that task, whichever list it is in.
  const [params] = useSearchParams();
  const [selected, setSelected] = useState<string | null>(params.get('taskId'));
  const [filters, setFilters] = useState<TWorkbenchFilters>({});
  const tasks = useMyTasks(bucket, filters);
  return (
    <Row gutter={16}>
      <Col xs={24} md={9}>
        <Card>
          <WorkbenchFilters value={filters} onChange={setFilters} />
          <Tabs
            activeKey={bucket}
            onChange={(k) => setBucket(k as TBucket)}
            items={(['today', 'overdue', 'upcoming'] as const).map((k) => ({
              key: k,
              label: t(`followup.buckets.${k}`),
            }))}
          />
          {tasks.data && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="wb-total">
              {t('followup.wb.total', { n: tasks.data.total })}
            </Typography.Text>
          )}
          <List
            style={{ maxHeight: 'calc(100vh - 260px)', overflowY: 'auto' }}
            data-testid="task-list"
            // Which tab's tasks the list shows and whether they are still loading, for assistive tech and journeys:
            // right after a tab switch the previous tab's rows may still be on screen.
            data-bucket={bucket}
            aria-busy={tasks.isFetching}
            loading={tasks.isLoading}
            dataSource={tasks.data?.items ?? []}
            renderItem={(x) => (
              <List.Item
                onClick={() => setSelected(x.id)}
                style={{ cursor: 'pointer', background: x.id === selected ? '#e6f4ff' : undefined }}
                data-testid={`task-${x.id}`}
              >
                <List.Item.Meta
                  title={`${x.customerName} · ${x.planName}`}
                  description={`${t('followup.due')} ${fmtTime(x.dueUntil)} · ${x.customerPhone ?? ''}`}
                />
                {x.priority !== null && (
                  <Tag color={x.priority <= 2 ? 'orange' : 'default'} data-testid="task-priority">
                    {t('followup.priorityTag', { n: x.priority })}
                  </Tag>
                )}
                <Tag color={x.isOverdue ? 'red' : 'blue'}>{t(`followup.states.${x.state}`)}</Tag>
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} md={15}>
        {selected ? (
          <TaskPanel key={selected} id={selected} />
        ) : (
          <Card>
            <Empty description={t('followup.empty')} />
          </Card>
        )}
      </Col>
    </Row>
  );
}

/** One task: the customer card, script, questionnaire and outcomes (also the drawer of the tasks page). */
export function TaskPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const task = useTask(id);
  const [phone, setPhone] = useState<string | null>(null);
  const [satisfaction, setSatisfaction] = useState<number>(0);
  const [notes, setNotes] = useState('');
  const [nextDate, setNextDate] = useState<Dayjs | null>(null);
  const [channel, setChannel] = useState<string | null>(null);
  const [whom, setWhom] = useState<(typeof REACHED_WHOM)[number]>('customer');
  const [nextAction, setNextAction] = useState<(typeof NEXT_ACTIONS)[number]>('close');
  const [abnormal, setAbnormal] = useState(false);
  const [abnormalNote, setAbnormalNote] = useState('');
  const [answers, setAnswers] = useState<TAnswers>({});
  const methods = useMethods().data ?? [];
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
      const a = connected ? answeredOnly(answers) : {};
      await recordAttempt(id, {
        channel: channel ?? d.methods[0] ?? 'phone',
        outcome: o,
        reachedWhom: connected ? whom : null,
        satisfaction: connected && satisfaction ? satisfaction : null,
        answers: Object.keys(a).length ? a : null,
        notes: notes || null,
        isAbnormal: abnormal,
        abnormalNote: abnormal ? abnormalNote || null : null,
        nextAction: connected ? nextAction : 'continue',
        nextFollowupDate: nextDate ? nextDate.format('YYYY-MM-DD') : null,
      });
      setAnswers({});
      setSatisfaction(0);
      setNotes('');
      void message.success(t('followup.recorded'));
    });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card
        title={`${t('followup.customer')}: ${d.customer.name}`}
        extra={
          <Space>
            <Link to={`/customers/${d.customer.id}`} data-testid="open-customer">
              {t('followup.openCustomer')}
            </Link>
            <Tag data-testid="task-state">{t(`followup.states.${d.state}`)}</Tag>
          </Space>
        }
      >
        <Descriptions column={2} size="small">
          <Descriptions.Item label="☎">
            <Space>
              <span data-testid="phone">{phone ?? d.customer.phones[0] ?? '—'}</span>
              {phone ? (
                <a href={`tel:${phone}`} data-testid="call">
                  {t('followup.call')}
                </a>
              ) : (
                <Button size="small" onClick={() => void run(async () => setPhone((await revealPhone(id)).value))}>
                  {t('followup.reveal')}
                </Button>
              )}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('customer.tier')}>{d.customer.tier ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('followup.due')}>
            {fmtTime(d.dueFrom)} ~ {fmtTime(d.dueUntil)}
          </Descriptions.Item>
          <Descriptions.Item label="#">
            {d.attempts} / {d.maxAttempts}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <PathPointCard taskId={id} isOpen={['pending', 'in_progress', 'follow_up'].includes(d.state)} />
      <Card title={t('followup.script')}>
        <Typography.Paragraph data-testid="script">{d.script}</Typography.Paragraph>
      </Card>
      <Card>
        {!isMine ? (
          <Button
            type="primary"
            data-testid="claim"
            onClick={() => void run(() => claimTask(id))}
            disabled={!['pending', 'follow_up'].includes(d.state)}
          >
            {t('followup.claim')}
          </Button>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            {d.questionnaire && (
              <QuestionnaireFields questionnaire={d.questionnaire} value={answers} onChange={setAnswers} />
            )}
            <Space wrap>
              {t('followup.channel')}
              <Select
                style={{ width: 120 }}
                value={channel ?? d.methods[0]}
                onChange={setChannel}
                options={d.methods.map((m) => ({ value: m, label: methods.find((x) => x.code === m)?.label ?? m }))}
              />
              {t('followup.reachedWhom')}
              <Radio.Group
                value={whom}
                onChange={(e) => setWhom(e.target.value as typeof whom)}
                options={REACHED_WHOM.map((w) => ({ value: w, label: t(`followup.whom.${w}`) }))}
              />
            </Space>
            <Space wrap>
              {t('followup.nextAction')}
              <Select
                style={{ width: 140 }}
                value={nextAction}
                onChange={setNextAction}
                data-testid="next-action"
                options={NEXT_ACTIONS.map((a) => ({ value: a, label: t(`followup.actions.${a}`) }))}
              />
              <Checkbox checked={abnormal} onChange={(e) => setAbnormal(e.target.checked)}>
                {t('followup.abnormal')}
              </Checkbox>
              {abnormal && (
                <Input
                  style={{ width: 260 }}
                  placeholder={t('followup.abnormalNote')}
                  value={abnormalNote}
                  onChange={(e) => setAbnormalNote(e.target.value)}
                />
              )}
            </Space>
            <Space>
              {t('followup.satisfaction')}{' '}
              <Rate value={satisfaction} onChange={setSatisfaction} data-testid="satisfaction" />
            </Space>
            <Input.TextArea
              placeholder={t('followup.notes')}
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
              rows={2}
            />
            <Space>
              {t('followup.nextDate')} <DatePicker value={nextDate} onChange={setNextDate} />
            </Space>
            <Space wrap>
              {ATTEMPT_OUTCOMES.map((o) => (
                <Button
                  key={o}
                  data-testid={`outcome-${o}`}
                  type={o === 'reached' ? 'primary' : 'default'}
                  onClick={() => void outcome(o)}
                >
                  {t(`followup.outcomes.${o}`)}
                </Button>
              ))}
              <Button onClick={() => void run(() => releaseTask(id))}>{t('followup.release')}</Button>
            </Space>
          </Space>
        )}
      </Card>
      <Card title={t('followup.history')}>
        <List
          size="small"
          dataSource={d.attemptsList}
          renderItem={(a) => (
            <List.Item>
              {fmtTime(a.at)} · {t(`followup.outcomes.${a.outcome}`)} {a.satisfaction ? `· ${a.satisfaction}/5` : ''}{' '}
              {a.notes ?? ''}
            </List.Item>
          )}
        />
      </Card>
      <Card title={t('followup.log')} data-testid="task-log">
        <List
          size="small"
          dataSource={d.events}
          renderItem={(e) => (
            <List.Item>
              {fmtTime(e.at)} · {eventLabel(t, e)} · {e.actorName ?? t('followup.system')}
            </List.Item>
          )}
        />
      </Card>
    </Space>
  );
}
