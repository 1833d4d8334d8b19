import { useQueryClient } from '@tanstack/react-query';
import { PATH_STATUSES, type TPathTemplate } from '@huifang/shared';
import { App, Button, Card, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { useMethods } from '../api.ts';
import { PathDrawer } from '../components/paths-drawer.tsx';
import { ExplainView, RecordPicker } from '../components/paths-explain.tsx';
import { PATHS_KEY, runPaths, setPathStatus, usePaths } from '../paths-api.ts';

const STATUS_COLOR: Record<string, string> = { draft: 'default', active: 'green', retired: 'red' };

/** 回访路径: templates (points, rules, versions), activate / retire, and "which template would this record get and why". */
export function PathsPage() {
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
  const [editing, setEditing] = useState<{ id?: string } | null>(null);
  const [record, setRecord] = useState<string | null>(null);
  const paths = usePaths(q);
  const methods = new Map((useMethods().data ?? []).map((m) => [m.code, m.label]));
  const fail = (e: unknown) => void message.error(errorText(e, i18n.language));

  const changeStatus = (p: TPathTemplate, status: 'active' | 'retired') =>
    modal.confirm({
      title: t(`paths.confirm.${status}`, { name: p.name }),
      content: status === 'active' ? t('paths.activateHint') : t('paths.retireHint'),
      okButtonProps: { 'data-testid': 'path-status-ok' } as never,
      onOk: async () => {
        try {
          await setPathStatus(p.id, status);
          await qc.invalidateQueries({ queryKey: PATHS_KEY });
          void message.success(t('common.saved'));
        } catch (e) {
          fail(e);
        }
      },
    });
  const run = async () => {
    try {
      const r = await runPaths();
      void message.success(t('paths.ran', { records: r.records, tasks: r.tasks }));
      await qc.invalidateQueries({ queryKey: PATHS_KEY });
    } catch (e) {
      fail(e);
    }
  };

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card
        title={t('menu.followupPaths')}
        extra={
          canManage && (
            <Space>
              <Tooltip title={t('paths.runHint')}>
                <Button onClick={() => void run()} data-testid="paths-run">
                  {t('paths.run')}
                </Button>
              </Tooltip>
              <Button type="primary" data-testid="path-create" onClick={() => setEditing({})}>
                {t('paths.create')}
              </Button>
            </Space>
          )
        }
      >
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('paths.name')}
            onSearch={(v) => setQ((x) => ({ ...x, page: 1, q: v || undefined }))}
            style={{ width: 220 }}
          />
          <Select
            allowClear
            placeholder={t('common.status')}
            style={{ width: 140 }}
            value={q.status}
            onChange={(v?: string) => setQ((x) => ({ ...x, page: 1, status: v }))}
            options={PATH_STATUSES.map((s) => ({ value: s, label: t(`paths.status.${s}`) }))}
          />
        </Space>
        <Table<TPathTemplate>
          rowKey="id"
          size="middle"
          loading={paths.isFetching}
          dataSource={paths.data?.items}
          pagination={{
            current: q.page,
            pageSize: q.pageSize,
            total: paths.data?.total ?? 0,
            onChange: (page, pageSize) => setQ((x) => ({ ...x, page, pageSize })),
            showTotal: (n) => t('common.total', { n }),
          }}
          columns={[
            {
              title: t('paths.name'),
              dataIndex: 'name',
              render: (v: string, r) => (
                <a data-testid={`path-row-${v}`} onClick={() => setEditing({ id: r.id })}>
                  {v}
                </a>
              ),
            },
            {
              title: t('common.status'),
              dataIndex: 'status',
              render: (s: string) => (
                <Tag color={STATUS_COLOR[s]} data-testid="path-status">
                  {t(`paths.status.${s}`)}
                </Tag>
              ),
            },
            { title: t('paths.version'), dataIndex: 'currentVersion', render: (v: number) => `v${v}` },
            {
              title: t('paths.points'),
              render: (_: unknown, r) => (
                <Space size={2} wrap>
                  {r.points.map((p, i) => (
                    <Tag key={i} color={p.skippable ? 'default' : 'blue'}>
                      {p.label} {p.offsetDays >= 0 ? '+' : ''}
                      {p.offsetDays}±{p.windowDays} {methods.get(p.method) ?? p.method}
                    </Tag>
                  ))}
                </Space>
              ),
            },
            { title: t('paths.rules'), render: (_: unknown, r) => r.rules.length },
            {
              title: t('paths.plan'),
              dataIndex: 'planName',
              render: (v: string, r) => (
                <span>
                  {v} {r.planStatus !== 'active' && <Tag>{t(`followup.planStatus.${r.planStatus}`)}</Tag>}
                </span>
              ),
            },
            {
              title: t('paths.usage'),
              render: (_: unknown, r) => t('paths.usageText', { records: r.instances, tasks: r.tasks }),
            },
            { title: t('followup.plan.unit'), dataIndex: 'unitName' },
            {
              title: t('common.actions'),
              render: (_: unknown, r) => (
                <Space size={0} wrap>
                  <Button type="link" size="small" onClick={() => setEditing({ id: r.id })}>
                    {canManage ? t('common.edit') : t('paths.view')}
                  </Button>
                  {canManage && r.status !== 'active' && (
                    <Button
                      type="link"
                      size="small"
                      data-testid="path-activate"
                      onClick={() => changeStatus(r, 'active')}
                    >
                      {t('paths.activate')}
                    </Button>
                  )}
                  {canManage && r.status === 'active' && (
                    <Button type="link" size="small" danger onClick={() => changeStatus(r, 'retired')}>
                      {t('paths.retire')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('paths.explain.title')} extra={<RecordPicker value={record} onChange={setRecord} />}>
        <ExplainView serviceRecordId={record} />
      </Card>
      <PathDrawer open={!!editing} id={editing?.id} onClose={() => setEditing(null)} />
    </Space>
  );
}
