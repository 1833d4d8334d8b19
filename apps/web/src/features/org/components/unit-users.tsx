import { useQuery } from '@tanstack/react-query';
import type { TPage, TUser } from '@huifang/shared';
import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, qs } from '../../../api/client.ts';
import { fmtTime } from '../../../lib/format.ts';

/** The users who belong to the unit itself (not its subtree); the full list is on the users page. */
export function UnitUsers({ unitId }: { unitId: string }) {
  const { t } = useTranslation();
  const { data, isFetching } = useQuery({
    queryKey: ['users', 'of-unit', unitId],
    queryFn: () => get<TPage<TUser>>(`/users${qs({ unitId, subtree: 'false', pageSize: 10, sort: 'displayName' })}`),
  });
  return (
    <Table<TUser>
      data-testid="unit-users"
      rowKey="id"
      size="small"
      style={{ marginTop: 16 }}
      loading={isFetching}
      dataSource={data?.items}
      pagination={false}
      title={() => (
        <span>
          {t('org.users')} · {t('common.total', { n: data?.total ?? 0 })}{' '}
          <Link to={`/users?unitId=${unitId}`}>{t('org.viewUsers')}</Link>
        </span>
      )}
      columns={[
        { title: t('user.displayName'), dataIndex: 'displayName' },
        { title: t('user.username'), dataIndex: 'username' },
        { title: t('user.jobTitle'), dataIndex: 'title', render: (v: string | null) => v ?? '—' },
        {
          title: t('user.roles'),
          dataIndex: 'roles',
          render: (rs: TUser['roles']) => rs.map((r) => <Tag key={r.id}>{r.name}</Tag>),
        },
        { title: t('user.lastLogin'), dataIndex: 'lastLoginAt', render: fmtTime },
      ]}
    />
  );
}
