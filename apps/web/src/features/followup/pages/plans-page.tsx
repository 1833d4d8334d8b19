import { useQueryClient } from '@tanstack/react-query';
import { PLAN_STATUSES, TASK_STATES, type TFollowupPlan, type TPlanPreview } from '@huifang/shared';
import { App, Button, Card, Descriptions, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { FOLLOWUP_KEY, previewPlan, setPlanStatus, usePlans } from '../api.ts';
import { PlanDrawer } from '../components/plan-drawer.tsx';

const STATUS_COLOR: Record<string, string> = { draft: 'default', active: 'green', paused: 'orange', closed: 'red' };
const STATE_COLOR: Record<string, string> = {
  pending: 'blue',
  in_progress: 'geekblue',
  follow_up: 'purple',
  done: 'green',
  failed: 'red',
  cancelled: 'default',
};

/** The preview numbers: how many tasks activation creates, and who the contact policy keeps out (by reason). */
export function PreviewBody({ p }: { p: TPlanPreview }) {
  const { t } = useTranslation();
  return (
    <Descriptions column={1} size="small" bordered data-testid="plan-preview">
      <Descriptions.Item label={t('followup.preview.matched')}>{p.matched}</Descriptions.Item>
      <Descriptions.Item label={t('followup.preview.willCreate')}>
        <b data-testid="preview-will-create">{p.willCreate}</b>
      </Descriptions.Item>
      <Descriptions.Item label={t('followup.preview.alreadyExists')}>{p.alreadyExists}</Descriptions.Item>
      {Object.entries(p.excluded).map(([k, n]) => (
        <Descriptions.Item key={k} label={`${t('followup.preview.excluded')} · ${t(`followup.exclusions.${k}`)}`}>
          {n}
        </Descriptions.Item>
      ))}
      <Descriptions.Item label={t('followup.preview.toTeam')}>{p.toTeam}</Descriptions.Item>
    </Descriptions>
  );
}

/** 回访计划: list with task counts by state; create/edit; preview; activate / pause / close with confirmation. */
export function PlansPage() {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const canManage = can(useMe().data, 'followup:manage');
  const [q, setQ] = useState({
    page: 1,
    pageSize: 20,
    status: undefined as string | undefined,
    q: undefined as string | undefined,
  });
  const [editing, setEditing] = useState<{ plan?: TFollowupPlan } | null>(null);
  const plans = usePlans(q);

  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));
  const showPreview = async (p: TFollowupPlan) => {
    try {
      const pv = await previewPlan(p.id);
      modal.info({ title: `${t('followup.plan.preview')} · ${p.name}`, width: 520, content: <PreviewBody p={pv} /> });
    } catch (e) {
      fail(e);
    }
  };
  const changeStatus = async (p: TFollowupPlan, status: 'active' | 'paused' | 'closed') => {
    let pv: TPlanPreview | null = null;
    try {
      if (status === 'active') pv = await previewPlan(p.id);
    } catch (e) {
      fail(e);
      return;
    }
    modal.confirm({
      title: t(`followup.plan.confirm.${status}`, { name: p.name }),
      width: 520,
      content: pv ? (
        <PreviewBody p={pv} />
      ) : status === 'closed' ? (
        t('followup.plan.closeHint')
      ) : (
        t('followup.plan.pauseHint')
      ),
      okButtonProps: { danger: status === 'closed', 'data-testid': 'plan-status-ok' } as never,
      onOk: async () => {
        try {
          const r = await setPlanStatus(p.id, status);
          void message.success(
            status === 'active' ? t('followup.plan.activated', { n: r.created }) : t('common.saved'),
          );
          await qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
        } catch (e) {
          fail(e);
        }
      },
    });
  };

  return (
    <Card
      title={t('menu.followupPlans')}
      extra={
        canManage && (
          <Button type="primary" data-testid="plan-create" onClick={() => setEditing({})}>
            {t('followup.plan.create')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('followup.plan.name')}
          onSearch={(v) => setQ((x) => ({ ...x, page: 1, q: v || undefined }))}
          style={{ width: 220 }}
        />
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 140 }}
          value={q.status}
          onChange={(v?: string) => setQ((x) => ({ ...x, page: 1, status: v }))}
          options={PLAN_STATUSES.map((s) => ({ value: s, label: t(`followup.planStatus.${s}`) }))}
        />
      </Space>
      <Table<TFollowupPlan>
        rowKey="id"
        size="middle"
        loading={plans.isFetching}
        dataSource={plans.data?.items}
        pagination={{
          current: q.page,
          pageSize: q.pageSize,
          total: plans.data?.total ?? 0,
          onChange: (page, pageSize) => setQ((x) => ({ ...x, page, pageSize })),
          showTotal: (n) => t('common.total', { n }),
        }}
        columns={[
          {
            title: t('followup.plan.name'),
            dataIndex: 'name',
            render: (v: string, r) => (
              <Link to={`/followup/tasks?planId=${r.id}`} data-testid={`plan-row-${v}`}>
                {v}
              </Link>
            ),
          },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: string) => (
              <Tag color={STATUS_COLOR[s]} data-testid="plan-status">
                {t(`followup.planStatus.${s}`)}
              </Tag>
            ),
          },
          { title: t('followup.plan.topic'), dataIndex: 'topic', render: (v: string) => t(`followup.topics.${v}`) },
          {
            title: t('followup.plan.target'),
            render: (_: unknown, r) =>
              r.targetKind === 'rule' && r.rule
                ? `${t('followup.targetKinds.rule')} · ${t(`followup.rules.${r.rule.kind}`)}`
                : r.targetKind === 'list'
                  ? `${t('followup.targetKinds.list')} · ${r.customerIds.length}`
                  : t(`followup.targetKinds.${r.targetKind}`),
          },
          {
            title: t('followup.plan.tasks'),
            render: (_: unknown, r) => (
              <Space size={2} wrap data-testid="plan-counts">
                {TASK_STATES.filter((s) => r.taskCounts[s]).map((s) => (
                  <Tag key={s} color={STATE_COLOR[s]}>
                    {t(`followup.states.${s}`)} {r.taskCounts[s]}
                  </Tag>
                ))}
              </Space>
            ),
          },
          { title: t('followup.plan.unit'), dataIndex: 'unitName' },
          { title: t('followup.plan.activatedAt'), dataIndex: 'activatedAt', render: fmtTime },
          {
            title: t('common.actions'),
            render: (_: unknown, r) => (
              <Space size={0} wrap>
                <Button type="link" size="small" onClick={() => void showPreview(r)} data-testid="plan-preview-btn">
                  {t('followup.plan.preview')}
                </Button>
                {canManage && (r.status === 'draft' || r.status === 'paused') && (
                  <Button type="link" size="small" onClick={() => setEditing({ plan: r })}>
                    {t('common.edit')}
                  </Button>
                )}
                {canManage && (r.status === 'draft' || r.status === 'paused') && (
                  <Button
                    type="link"
                    size="small"
                    data-testid="plan-activate"
                    onClick={() => void changeStatus(r, 'active')}
                  >
                    {t('followup.plan.activate')}
                  </Button>
                )}
                {canManage && r.status === 'active' && (
                  <Button type="link" size="small" onClick={() => void changeStatus(r, 'paused')}>
                    {t('followup.plan.pause')}
                  </Button>
                )}
                {canManage && r.status !== 'closed' && (
                  <Tooltip title={t('followup.plan.closeHint')}>
                    <Button type="link" size="small" danger onClick={() => void changeStatus(r, 'closed')}>
                      {t('followup.plan.close')}
                    </Button>
                  </Tooltip>
                )}
                <Link to={`/followup/tasks?tab=kpis&planId=${r.id}`}>
                  <Button type="link" size="small">
                    {t('followup.kpi.title')}
                  </Button>
                </Link>
              </Space>
            ),
          },
        ]}
      />
      <PlanDrawer open={!!editing} plan={editing?.plan} onClose={() => setEditing(null)} />
    </Card>
  );
}
