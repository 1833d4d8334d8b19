import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TCustomer, TPage } from '@huifang/shared';
import { App, Button, Card, Empty, Input, Select, Space, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { get, post, qs } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { CUSTOMERS_KEY, useDictionary } from '../api.ts';
import { CustomerDrawer } from '../components/customer-drawer.tsx';
import { RevealText } from '../components/reveal-text.tsx';
import { SavedFilters } from '../components/saved-filters.tsx';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { ValueFilters } from '../../value/components/value-filters.tsx';

const FILTER_KEYS = [
  'q',
  'unitId',
  'tier',
  'intentLevel',
  'kind',
  'tags',
  'valueTier',
  'valueClass',
  'valueLifecycle',
] as const;

export function CustomersPage() {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const me = useMe().data;
  const canWrite = can(me, 'customer:write');
  // A role whose data scope is "own" sees only the customers it owns; say so when that is none, and where the
  // customers of its follow-up tasks are (the workbench opens each task's customer card).
  const ownOnly = me?.dataScope === 'own';
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState({ page: 1, pageSize: 20, sort: undefined as string | undefined });
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined])) as Record<
    (typeof FILTER_KEYS)[number],
    string | undefined
  >;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const tiers = useDictionary('tier').data ?? [];
  const intents = useDictionary('intent_level').data ?? [];
  const { data, isFetching } = useQuery({
    queryKey: [...CUSTOMERS_KEY, page, filters],
    queryFn: () => get<TPage<TCustomer>>(`/customers${qs({ ...page, ...filters })}`),
    placeholderData: (p) => p,
  });
  const setFilter = (k: string, v?: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
    setPage((p) => ({ ...p, page: 1 }));
  };

  const bulkTag = () => {
    let tag = '';
    modal.confirm({
      title: t('customer.bulkTag'),
      content: <Input autoFocus placeholder={t('customer.tags')} onChange={(e) => (tag = e.target.value.trim())} />,
      onOk: async () => {
        if (!tag) return;
        try {
          const r = await post<{ updated: number }>('/customers/bulk', { ids: selected, addTags: [tag] });
          void message.success(t('customer.bulkDone', { n: r.updated }));
          setSelected([]);
          await qc.invalidateQueries({ queryKey: CUSTOMERS_KEY });
        } catch (e) {
          void message.error(errorText(e, i18n.language));
        }
      },
    });
  };

  return (
    <Card
      title={t('customer.title')}
      extra={
        <Space>
          <Link to="/customers/quality">
            <Button>{t('dq.title')}</Button>
          </Link>
          {can(me, 'customer:import') && (
            <Link to="/customers/import">
              <Button data-testid="customer-import">{t('import.import')}</Button>
            </Link>
          )}
          {can(me, 'customer:export') && (
            <Space.Compact>
              <DownloadButton
                url={`/customers/export${qs({ ...filters, format: 'xlsx' })}`}
                data-testid="customer-export"
              >
                {t('import.export')} xlsx
              </DownloadButton>
              <DownloadButton
                url={`/customers/export${qs({ ...filters, format: 'csv' })}`}
                data-testid="customer-export-csv"
              >
                CSV
              </DownloadButton>
            </Space.Compact>
          )}
          {canWrite && (
            <Button type="primary" data-testid="customer-create" onClick={() => setCreating(true)}>
              {t('customer.create')}
            </Button>
          )}
        </Space>
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          data-testid="customer-search"
          placeholder={t('customer.searchPlaceholder')}
          allowClear
          defaultValue={filters.q}
          onSearch={(v) => setFilter('q', v || undefined)}
          style={{ width: 240 }}
        />
        {can(me, 'org:read') && (
          <TreeSelect
            placeholder={t('common.unit')}
            allowClear
            treeData={tree}
            value={filters.unitId}
            onChange={(v?: string) => setFilter('unitId', v)}
            treeDefaultExpandAll
            showSearch
            treeNodeFilterProp="title"
            style={{ width: 200 }}
          />
        )}
        <Select
          placeholder={t('customer.tier')}
          allowClear
          value={filters.tier}
          onChange={(v?: string) => setFilter('tier', v)}
          options={tiers.map((d) => ({ value: d.code, label: d.label }))}
          style={{ width: 110 }}
        />
        <Select
          placeholder={t('customer.intentLevel')}
          allowClear
          value={filters.intentLevel}
          onChange={(v?: string) => setFilter('intentLevel', v)}
          options={intents.map((d) => ({ value: d.code, label: d.label }))}
          style={{ width: 140 }}
        />
        <Select
          placeholder={t('customer.kind')}
          allowClear
          value={filters.kind}
          onChange={(v?: string) => setFilter('kind', v)}
          options={[
            { value: 'individual', label: t('customer.individual') },
            { value: 'company', label: t('customer.company') },
          ]}
          style={{ width: 110 }}
        />
        <Input
          placeholder={t('customer.tags')}
          allowClear
          defaultValue={filters.tags}
          onPressEnter={(e) => setFilter('tags', (e.target as HTMLInputElement).value || undefined)}
          style={{ width: 140 }}
        />
        <ValueFilters values={filters} onChange={setFilter} />
        <SavedFilters
          current={filters}
          canSave={canWrite}
          onApply={(f) => {
            setParams(new URLSearchParams(f), { replace: true });
            setPage((p) => ({ ...p, page: 1 }));
          }}
        />
        {canWrite && selected.length > 0 && (
          <Button onClick={bulkTag}>
            {t('customer.bulkTag')} ({selected.length})
          </Button>
        )}
      </Space>
      <Table<TCustomer>
        rowKey="id"
        size="middle"
        loading={isFetching}
        dataSource={data?.items}
        scroll={{ x: 1100 }}
        locale={
          ownOnly
            ? {
                emptyText: (
                  <Empty description={t('customerList.ownEmpty')} data-testid="customers-own-empty">
                    {can(me, 'followup:work') && <Link to="/followup/workbench">{t('customerList.toWorkbench')}</Link>}
                  </Empty>
                ),
              }
            : undefined
        }
        rowSelection={canWrite ? { selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]) } : undefined}
        onRow={(r) => ({ onDoubleClick: () => void navigate(`/customers/${r.id}`) })}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) =>
            data?.totalIsEstimate ? (
              // Past 1,000 matches (or when counting takes too long) the server estimates: say so, and why.
              <span data-testid="customer-total" title={t('customerList.estimateHint')}>
                {t('common.totalEstimate', { n: n.toLocaleString(i18n.language) })}
              </span>
            ) : (
              <span data-testid="customer-total">{t('common.total', { n })}</span>
            ),
        }}
        onChange={(p, _f, s) => {
          const sorter = Array.isArray(s) ? s[0] : s;
          setPage({
            page: p.current ?? 1,
            pageSize: p.pageSize ?? 20,
            sort: sorter?.order ? `${sorter.order === 'descend' ? '-' : ''}${String(sorter.field)}` : undefined,
          });
        }}
        columns={[
          {
            title: t('customer.name'),
            dataIndex: 'name',
            sorter: true,
            render: (v: string, r) => <Link to={`/customers/${r.id}`}>{v}</Link>,
          },
          {
            title: t('customer.phones'),
            dataIndex: 'phones',
            render: (ps: string[], r) => <RevealText customerId={r.id} field="phone" masked={ps[0] ?? null} />,
          },
          { title: t('common.unit'), dataIndex: 'unitName' },
          { title: t('customer.owner'), dataIndex: 'ownerName', render: (v: string | null) => v ?? '—' },
          {
            title: t('customer.tier'),
            dataIndex: 'tier',
            render: (v: string | null) => (v ? <Tag color={v === 'VIP' ? 'gold' : undefined}>{v}</Tag> : '—'),
          },
          { title: t('customer.intentLevel'), dataIndex: 'intentLevel', render: (v: string | null) => v ?? '—' },
          {
            title: t('customer.tags'),
            dataIndex: 'tags',
            render: (ts: string[]) => ts.map((x) => <Tag key={x}>{x}</Tag>),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', sorter: true, render: fmtTime },
        ]}
      />
      <CustomerDrawer
        open={creating}
        onClose={(id) => {
          setCreating(false);
          if (id) void navigate(`/customers/${id}`);
        }}
      />
    </Card>
  );
}
