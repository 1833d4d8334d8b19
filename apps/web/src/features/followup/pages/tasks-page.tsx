import { useQueryClient } from '@tanstack/react-query';
import { TASK_STATES, type TTask } from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Col,
  Drawer,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Tooltip,
  type ButtonProps,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import {
  bulkTaskAction,
  FOLLOWUP_KEY,
  reassignTasks,
  useAllPlans,
  useTasks,
  useTaskSummary,
  useWorkers,
  type TTaskFilter,
} from '../api.ts';
import { KpiPanel } from '../components/kpi-panel.tsx';
import { TaskScopeFilters } from '../components/task-scope-filters.tsx';
import { TaskPanel } from './workbench-page.tsx';

const OPEN = ['pending', 'in_progress', 'follow_up'];
const STATE_COLOR: Record<string, string> = {
  pending: 'blue',
  in_progress: 'geekblue',
  follow_up: 'purple',
  done: 'green',
  failed: 'red',
  cancelled: 'default',
};

/**
 * 回访任务 (supervisor view): tasks of my units by plan/state/assignee/overdue, counts of exactly the filtered list (state
 * included), bulk reassign and bulk cancel/reopen (one all-or-nothing request each); KPIs tab.
 */
export function TasksPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'tasks';
  return (
    <Card title={t('menu.followupTasks')}>
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          const n = new URLSearchParams(params);
          n.set('tab', k);
          setParams(n, { replace: true });
        }}
        items={[
          { key: 'tasks', label: t('followup.tasks.title'), children: <TasksTab /> },
          { key: 'kpis', label: t('followup.kpi.title'), children: <KpiPanel /> },
        ]}
      />
    </Card>
  );
}

function TasksTab() {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const canManage = can(useMe().data, 'followup:manage');
  const [params, setParams] = useSearchParams();
  const f: TTaskFilter = {
    planId: params.get('planId') ?? undefined,
    state: params.get('state') ?? undefined,
    assigneeId: params.get('assigneeId') ?? undefined,
    bucket: params.get('bucket') ?? undefined,
    q: params.get('q') ?? undefined,
    unitId: params.get('unitId') ?? undefined,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
  };
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const [selected, setSelected] = useState<TTask[]>([]);
  const tasks = useTasks(f, page);
  const summary = useTaskSummary(f).data;
  const plans = useAllPlans().data ?? [];
  const workers = useWorkers().data ?? [];
  const openTask = params.get('taskId');
  const set = (k: keyof TTaskFilter | 'taskId', v?: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n, { replace: true });
    if (k === 'taskId') return;
    setPage((p) => ({ ...p, page: 1 }));
    setSelected([]);
  };
  const setScope = (changes: { unitId?: string | undefined; from?: string | undefined; to?: string | undefined }) => {
    const n = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) n.set(k, v);
      else n.delete(k);
    }
    setParams(n, { replace: true });
    setPage((p) => ({ ...p, page: 1 }));
    setSelected([]);
  };
  const done = async (text: string) => {
    void message.success(text);
    setSelected([]);
    await qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
  };
  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));

  const reassign = () => {
    let to: string | undefined;
    modal.confirm({
      title: t('followup.tasks.reassignTitle', { n: selected.length }),
      content: (
        <Select
          autoFocus
          showSearch
          optionFilterProp="label"
          style={{ width: '100%' }}
          data-testid="reassign-to"
          onChange={(v: string) => (to = v)}
          options={workers.map((w) => ({ value: w.id, label: `${w.displayName} · ${w.unitName}` }))}
        />
      ),
      onOk: async () => {
        if (!to) throw new Error('pick');
        try {
          const r = await reassignTasks(
            selected.map((x) => x.id),
            to,
          );
          await done(t('followup.tasks.reassigned', r));
        } catch (e) {
          fail(e);
        }
      },
    });
  };
  /** One request for all selected tasks the action fits (cancel: open ones; reopen: closed ones) — all or nothing. */
  const bulk = (action: 'cancel' | 'reopen') => {
    const rows = selected.filter((x) => (action === 'cancel' ? OPEN.includes(x.state) : !OPEN.includes(x.state)));
    if (rows.length === 0) {
      void message.warning(t(`followup.tasks.${action}None`));
      return;
    }
    let reason = '';
    modal.confirm({
      title: t(`followup.tasks.${action}Title`, { n: rows.length }),
      content: (
        <>
          {rows.length < selected.length && (
            <p>{t('followup.tasks.bulkSkipped', { n: selected.length - rows.length })}</p>
          )}
          <Input.TextArea placeholder={t('followup.tasks.reason')} onChange={(e) => (reason = e.target.value)} />
        </>
      ),
      okButtonProps: { danger: action === 'cancel', 'data-testid': `bulk-${action}-ok` } as ButtonProps,
      onOk: async () => {
        try {
          const r = await bulkTaskAction(
            action,
            rows.map((x) => x.id),
            reason || null,
          );
          await done(t('followup.tasks.bulkDone', { n: r.changed }));
        } catch (e) {
          // 409: some changed state meanwhile — nothing was changed; name them (details: body.taskIds.<index>).
          if (e instanceof ApiError && e.code === 'CONFLICT' && e.details.length) {
            const names = e.details.map((d) => rows[Number(d.path.split('.').pop())]?.customerName).filter(Boolean);
            void message.error(t('followup.tasks.bulkConflict', { names: names.join('、'), n: names.length }));
          } else fail(e);
          await qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
        }
      },
    });
  };

  return (
    <>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        <Col xs={12} md={3}>
          <Card size="small" hoverable onClick={() => set('bucket')} data-testid="summary-total">
            <Statistic title={t('followup.tasks.total')} value={summary?.total ?? 0} />
          </Card>
        </Col>
        <Col xs={12} md={3}>
          <Card size="small" hoverable onClick={() => set('bucket', 'overdue')} data-testid="summary-overdue">
            <Statistic
              title={t('followup.buckets.overdue')}
              value={summary?.overdue ?? 0}
              valueStyle={{ color: '#cf1322' }}
            />
          </Card>
        </Col>
        {TASK_STATES.map((s) => (
          <Col xs={12} md={3} key={s}>
            <Card
              size="small"
              hoverable
              onClick={() => set('state', f.state === s ? undefined : s)}
              data-testid={`summary-state-${s}`}
            >
              <Statistic title={t(`followup.states.${s}`)} value={summary?.byState[s] ?? 0} />
            </Card>
          </Col>
        ))}
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          placeholder={t('followup.tasks.plan')}
          style={{ width: 220 }}
          value={f.planId}
          onChange={(v?: string) => set('planId', v)}
          options={plans.map((p) => ({ value: p.id, label: p.name }))}
          data-testid="filter-plan"
        />
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 120 }}
          value={f.state}
          onChange={(v?: string) => set('state', v)}
          options={TASK_STATES.map((s) => ({ value: s, label: t(`followup.states.${s}`) }))}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('followup.tasks.assignee')}
          style={{ width: 180 }}
          value={f.assigneeId}
          onChange={(v?: string) => set('assigneeId', v)}
          options={workers.map((w) => ({ value: w.id, label: w.displayName }))}
        />
        <Select
          allowClear
          placeholder={t('followup.tasks.due')}
          style={{ width: 140 }}
          value={f.bucket}
          onChange={(v?: string) => set('bucket', v)}
          options={(['today', 'overdue', 'upcoming', 'open'] as const).map((b) => ({
            value: b,
            label: t(`followup.buckets.${b}`),
          }))}
          data-testid="filter-bucket"
        />
        <TaskScopeFilters unitId={f.unitId} from={f.from} to={f.to} set={setScope} />
        <Input.Search
          allowClear
          placeholder={t('followup.customer')}
          defaultValue={f.q}
          onSearch={(v) => set('q', v || undefined)}
          style={{ width: 180 }}
        />
        {canManage && selected.length > 0 && (
          <>
            <Button type="primary" onClick={reassign} data-testid="bulk-reassign">
              {t('followup.tasks.reassign')} ({selected.length})
            </Button>
            <Button danger onClick={() => bulk('cancel')} data-testid="bulk-cancel">
              {t('followup.tasks.cancel')}
            </Button>
            <Button onClick={() => bulk('reopen')} data-testid="bulk-reopen">
              {t('followup.tasks.reopen')}
            </Button>
          </>
        )}
      </Space>
      <Row gutter={12}>
        {/* Side by side only where the table's 1000 px fit beside the panel (≥ 1600 px); below, the panel follows it. */}
        <Col xs={24} xxl={18}>
          <Table<TTask>
            rowKey="id"
            size="small"
            loading={tasks.isFetching}
            dataSource={tasks.data?.items}
            scroll={{ x: 1000 }}
            rowSelection={
              canManage
                ? { selectedRowKeys: selected.map((x) => x.id), onChange: (_k, rows) => setSelected(rows) }
                : undefined
            }
            onRow={(r) => ({
              onClick: (e) => {
                if (!(e.target as HTMLElement).closest('.ant-table-selection-column')) set('taskId', r.id);
              },
              style: { cursor: 'pointer' },
            })}
            pagination={{
              current: page.page,
              pageSize: page.pageSize,
              total: tasks.data?.total ?? 0,
              showSizeChanger: true,
              onChange: (p, s) => setPage({ page: p, pageSize: s }),
              showTotal: (n) => t('common.total', { n }),
            }}
            columns={[
              {
                title: t('followup.customer'),
                dataIndex: 'customerName',
                render: (v: string, r) => (
                  <Link to={`/customers/${r.customerId}`} onClick={(e) => e.stopPropagation()}>
                    {v}
                  </Link>
                ),
              },
              { title: t('followup.tasks.plan'), dataIndex: 'planName' },
              {
                title: t('common.status'),
                dataIndex: 'state',
                render: (s: string, r) => (
                  <Space size={2}>
                    <Tag color={STATE_COLOR[s]}>{t(`followup.states.${s}`)}</Tag>
                    {r.isOverdue && <Tag color="red">{t('followup.buckets.overdue')}</Tag>}
                    {r.escalatedAt && (
                      <Tooltip title={t('followup.escalatedAt', { at: fmtTime(r.escalatedAt) })}>
                        <Tag color="volcano" data-testid={`escalated-${r.id}`}>
                          {t('followup.escalated')}
                        </Tag>
                      </Tooltip>
                    )}
                  </Space>
                ),
              },
              {
                title: t('followup.tasks.assignee'),
                dataIndex: 'assigneeName',
                render: (v: string | null, r) => v ?? `${t('followup.tasks.team')} · ${r.unitName}`,
              },
              { title: t('followup.due'), dataIndex: 'dueUntil', render: fmtTime },
              { title: t('followup.tasks.attempts'), render: (_: unknown, r) => `${r.attempts}/${r.maxAttempts}` },
              {
                title: t('followup.tasks.lastOutcome'),
                dataIndex: 'lastOutcome',
                render: (v: string | null) => (v ? t(`followup.outcomes.${v}`) : '—'),
              },
              { title: t('followup.satisfaction'), dataIndex: 'satisfaction', render: (v: number | null) => v ?? '—' },
            ]}
          />
        </Col>
        <Col xs={24} xxl={6}>
          <Card size="small" title={t('followup.tasks.byAssignee')}>
            <Table
              size="small"
              pagination={false}
              rowKey={(r) => r.assigneeId ?? 'team'}
              dataSource={summary?.byAssignee ?? []}
              data-testid="by-assignee"
              onRow={(r) => ({
                onClick: () => r.assigneeId && set('assigneeId', r.assigneeId),
                style: { cursor: 'pointer' },
              })}
              columns={[
                {
                  title: t('followup.tasks.assignee'),
                  dataIndex: 'assigneeName',
                  render: (v: string | null) => v ?? t('followup.tasks.team'),
                },
                { title: t('followup.tasks.open'), dataIndex: 'open' },
                {
                  title: t('followup.buckets.overdue'),
                  dataIndex: 'overdue',
                  render: (n: number) => (n ? <Tag color="red">{n}</Tag> : 0),
                },
                { title: t('followup.states.done'), dataIndex: 'done' },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {/* ?taskId=… (a notification's link, or a click on a row) opens that task, whatever the filters show. */}
      <Drawer
        open={!!openTask}
        width={720}
        onClose={() => set('taskId')}
        title={t('followup.tasks.detail')}
        destroyOnHidden
        data-testid="task-drawer"
      >
        {openTask && <TaskPanel id={openTask} />}
      </Drawer>
    </>
  );
}
