import { Checkbox, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fmtTime } from '../../../lib/format.ts';
import { useChurnWarnings, type TChurnWarning } from '../api.ts';

/** Open churn warnings 流失预警 of the customers the user sees (or only the ones they own). */
export function ChurnPanel() {
  const { t } = useTranslation();
  const [q, setQ] = useState({ page: 1, pageSize: 20, mine: false });
  const { data, isFetching } = useChurnWarnings(q);
  return (
    <>
      <Checkbox checked={q.mine} onChange={(e) => setQ({ ...q, page: 1, mine: e.target.checked })}>
        {t('value.mine')}
      </Checkbox>
      <Table<TChurnWarning>
        style={{ marginTop: 12 }}
        rowKey="id"
        size="small"
        loading={isFetching}
        dataSource={data?.items}
        pagination={{
          current: q.page,
          pageSize: q.pageSize,
          total: data?.total ?? 0,
          onChange: (page, pageSize) => setQ({ ...q, page, pageSize }),
        }}
        columns={[
          {
            title: t('customer.name'),
            dataIndex: 'customerName',
            render: (v: string, r) => <Link to={`/customers/${r.customerId}`}>{v}</Link>,
          },
          { title: t('customer.owner'), dataIndex: 'ownerName', render: (v: string | null) => v ?? '—' },
          {
            title: t('value.churn'),
            render: (_v, r) => (
              <>
                <Tag color="volcano">{t(`value.reasons.${r.reason}`)}</Tag>
                {r.reason === 'no_purchase'
                  ? t('value.daysSince', { n: r.daysSinceOrder })
                  : t('value.dropPct', { n: r.dropPct })}
              </>
            ),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: fmtTime },
        ]}
      />
    </>
  );
}
