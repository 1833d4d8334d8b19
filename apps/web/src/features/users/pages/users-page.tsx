import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TPage, TUnlockLoginResult, TUser } from '@huifang/shared';
import { App, Button, Card, Input, Popconfirm, Select, Space, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { get, patch, post, qs } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { USERS_KEY, useRoles } from '../api.ts';
import { ResetPasswordModal } from '../components/reset-password-modal.tsx';
import { UserDrawer } from '../components/user-drawer.tsx';

export function UsersPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const canWrite = can(me, 'user:write');
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState({ page: 1, pageSize: 20, sort: undefined as string | undefined });
  const [search, setSearch] = useState('');
  const [drawer, setDrawer] = useState<{ user?: TUser } | null>(null);
  const [resetting, setResetting] = useState<TUser | null>(null);
  const filters = {
    unitId: params.get('unitId') ?? undefined,
    roleId: params.get('roleId') ?? undefined,
    isActive: params.get('isActive') ?? undefined,
    q: params.get('q') ?? undefined,
  };
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const roles = useRoles().data ?? [];
  const { data, isFetching } = useQuery({
    queryKey: [...USERS_KEY, page, filters],
    queryFn: () => get<TPage<TUser>>(`/users${qs({ ...page, ...filters })}`),
    placeholderData: (prev) => prev,
  });

  const setFilter = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
    setPage((p) => ({ ...p, page: 1 }));
  };

  const toggleActive = async (u: TUser) => {
    try {
      await patch(`/users/${u.id}`, { isActive: !u.isActive });
      await qc.invalidateQueries({ queryKey: USERS_KEY });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  /** 解除登录锁定: lift the failed-login waits on the account from every source. */
  const unlockLogin = async (u: TUser) => {
    try {
      const r = await post<TUnlockLoginResult>(`/users/${u.id}/unlock-login`);
      void message.success(r.unlockedSources > 0 ? t('user.unlocked', { n: r.unlockedSources }) : t('user.notLocked'));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Card
      title={t('user.title')}
      extra={
        canWrite && (
          <Button type="primary" data-testid="user-create" onClick={() => setDrawer({})}>
            {t('user.create')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          placeholder={t('user.searchPlaceholder')}
          allowClear
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => setFilter('q', v || undefined)}
          style={{ width: 220 }}
        />
        <TreeSelect
          placeholder={t('common.unit')}
          allowClear
          treeData={tree}
          value={filters.unitId}
          onChange={(v?: string) => setFilter('unitId', v)}
          treeDefaultExpandAll
          style={{ width: 220 }}
          showSearch
          treeNodeFilterProp="title"
        />
        <Select
          placeholder={t('user.roles')}
          allowClear
          value={filters.roleId}
          onChange={(v?: string) => setFilter('roleId', v)}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
          style={{ width: 160 }}
        />
        <Select
          placeholder={t('common.status')}
          allowClear
          value={filters.isActive}
          onChange={(v?: string) => setFilter('isActive', v)}
          options={[
            { value: 'true', label: t('common.active') },
            { value: 'false', label: t('common.inactive') },
          ]}
          style={{ width: 120 }}
        />
      </Space>
      <Table<TUser>
        rowKey="id"
        size="middle"
        loading={isFetching}
        dataSource={data?.items}
        scroll={{ x: 1000 }}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { n }),
        }}
        onChange={(p, _f, s) => {
          const sorter = Array.isArray(s) ? s[0] : s;
          const sort = sorter?.order ? `${sorter.order === 'descend' ? '-' : ''}${String(sorter.field)}` : undefined;
          setPage({ page: p.current ?? 1, pageSize: p.pageSize ?? 20, sort });
        }}
        columns={[
          { title: t('user.username'), dataIndex: 'username', sorter: true },
          { title: t('user.displayName'), dataIndex: 'displayName', sorter: true },
          { title: t('user.staffNo'), dataIndex: 'staffNo', sorter: true, render: (v: string | null) => v ?? '—' },
          { title: t('user.jobTitle'), dataIndex: 'title', render: (v: string | null) => v ?? '—' },
          { title: t('common.unit'), dataIndex: 'unitName' },
          {
            title: t('user.roles'),
            dataIndex: 'roles',
            render: (rs: TUser['roles']) => rs.map((r) => <Tag key={r.id}>{r.name}</Tag>),
          },
          {
            title: t('common.status'),
            dataIndex: 'isActive',
            render: (v: boolean, u) => (
              <Space size={4}>
                <Tag color={v ? 'green' : 'default'}>{v ? t('common.active') : t('common.inactive')}</Tag>
                {u.mustChangePassword && <Tag color="orange">{t('user.mustChange')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('user.lastLogin'),
            dataIndex: 'lastLoginAt',
            sorter: true,
            render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{fmtTime(v)}</span>,
          },
          ...(canWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  width: 310,
                  fixed: 'right' as const,
                  render: (_: unknown, u: TUser) => (
                    <Space size={0}>
                      <Button type="link" size="small" onClick={() => setDrawer({ user: u })}>
                        {t('common.edit')}
                      </Button>
                      <Button type="link" size="small" onClick={() => setResetting(u)}>
                        {t('user.resetPassword')}
                      </Button>
                      <Popconfirm
                        title={t('user.unlockConfirm', { name: u.displayName })}
                        onConfirm={() => unlockLogin(u)}
                      >
                        <Button type="link" size="small" data-testid={`user-unlock-${u.username}`}>
                          {t('user.unlockLogin')}
                        </Button>
                      </Popconfirm>
                      <Button
                        type="link"
                        size="small"
                        danger={u.isActive}
                        onClick={() => void toggleActive(u)}
                        disabled={u.id === me?.user.id}
                      >
                        {u.isActive ? t('common.disable') : t('common.enable')}
                      </Button>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <UserDrawer open={!!drawer} user={drawer?.user} defaultUnitId={filters.unitId} onClose={() => setDrawer(null)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Card>
  );
}
