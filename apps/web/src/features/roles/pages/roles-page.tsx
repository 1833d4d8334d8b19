import { useQueryClient } from '@tanstack/react-query';
import type { TRole } from '@huifang/shared';
import { App, Button, Card, Popconfirm, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { ROLES_KEY, useRoles } from '../../users/api.ts';
import { RoleDrawer } from '../components/role-drawer.tsx';

export function RolesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const canWrite = can(useMe().data, 'role:write');
  const { data = [], isFetching } = useRoles();
  const [drawer, setDrawer] = useState<{ role?: TRole } | null>(null);

  const remove = async (r: TRole) => {
    try {
      await del(`/roles/${r.id}`);
      await qc.invalidateQueries({ queryKey: ROLES_KEY });
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Card
      title={t('role.title')}
      extra={
        canWrite && (
          <Button type="primary" onClick={() => setDrawer({})}>
            {t('role.create')}
          </Button>
        )
      }
    >
      <Table<TRole>
        rowKey="id"
        loading={isFetching}
        dataSource={data}
        pagination={false}
        columns={[
          {
            title: t('role.name'),
            dataIndex: 'name',
            render: (v: string, r) => (
              <Space>
                {v}
                {r.isBuiltin && <Tag color="blue">{t('role.builtin')}</Tag>}
              </Space>
            ),
          },
          { title: t('common.description'), dataIndex: 'description', render: (v: string | null) => v ?? '—' },
          { title: t('role.dataScope'), dataIndex: 'dataScope', render: (v: TRole['dataScope']) => t(`scope.${v}`) },
          {
            title: t('role.permissions'),
            dataIndex: 'permissions',
            render: (ps: string[]) => t('role.permCount', { n: ps.length }),
          },
          { title: t('role.userCount'), dataIndex: 'userCount' },
          {
            title: t('common.actions'),
            key: 'a',
            render: (_: unknown, r) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setDrawer({ role: r })}>
                  {canWrite ? t('common.edit') : t('role.permissions')}
                </Button>
                {canWrite && !r.isBuiltin && (
                  <Popconfirm title={t('common.confirmDelete')} onConfirm={() => void remove(r)}>
                    <Button type="link" size="small" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <RoleDrawer open={!!drawer} role={drawer?.role} readOnly={!canWrite} onClose={() => setDrawer(null)} />
    </Card>
  );
}
