import {
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_SLA_STATES,
  TICKET_SOURCES,
  TICKET_STATUSES,
  type TTicket,
} from '@huifang/shared';
import { DatePicker, Input, Select, Space, Table, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { fmtTime } from '../../../lib/format.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';
import { buildTree, useUnits } from '../../org/api.ts';
import { ticketQuery, useTickets, type TTicketFilter } from '../api.ts';
import { PriorityTag, SlaTag, StatusTag } from './ticket-tags.tsx';

/** The list filters live in the URL, so a filtered list can be shared and the board's "more" links open it. */
type TSet = (changes: Partial<Record<keyof TTicketFilter, string | string[] | undefined>>) => void;

function useFilter(mine: boolean): [TTicketFilter, TSet] {
  const [params, setParams] = useSearchParams();
  const f: TTicketFilter = {
    status: params.getAll('status'),
    slaState: params.getAll('slaState'),
    priority: params.get('priority') ?? undefined,
    category: params.get('category') ?? undefined,
    source: params.get('source') ?? undefined,
    unitId: params.get('unitId') ?? undefined,
    q: params.get('q') ?? undefined,
    createdFrom: params.get('createdFrom') ?? undefined,
    createdTo: params.get('createdTo') ?? undefined,
    sort: params.get('sort') ?? undefined,
    ...(mine ? { assignee: 'me' as const } : {}),
  };
  const set: TSet = (changes) => {
    const n = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      n.delete(k);
      if (Array.isArray(v)) for (const x of v) n.append(k, x);
      else if (v) n.set(k, v);
    }
    setParams(n, { replace: true });
  };
  return [f, set];
}

/** 工单列表: filters (status, SLA risk, priority, category, source, unit, created period, search), sort and export. */
export function TicketList({ mine }: { mine: boolean }) {
  const { t } = useTranslation();
  const [f, set] = useFilter(mine);
  const [page, setPage] = useState({ page: 1, pageSize: 20 });
  const list = useTickets(f, page);
  const units = useUnits().data;
  const change = (k: keyof TTicketFilter, v?: string | string[]) => {
    set({ [k]: v });
    setPage((p) => ({ ...p, page: 1 }));
  };
  const opts = (values: readonly string[], prefix: string) =>
    values.map((v) => ({ value: v, label: t(`${prefix}.${v}`) }));
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          placeholder={t('tickets.filter.q')}
          defaultValue={f.q}
          onSearch={(v) => change('q', v.trim() || undefined)}
          style={{ width: 200 }}
          data-testid="ticket-search"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('tickets.filter.status')}
          value={f.status}
          onChange={(v: string[]) => change('status', v)}
          options={opts(TICKET_STATUSES, 'tickets.status')}
          style={{ minWidth: 160 }}
          data-testid="filter-status"
        />
        <Select
          mode="multiple"
          allowClear
          placeholder={t('tickets.filter.sla')}
          value={f.slaState}
          onChange={(v: string[]) => change('slaState', v)}
          options={opts(TICKET_SLA_STATES, 'tickets.sla')}
          style={{ minWidth: 140 }}
        />
        <Select
          allowClear
          placeholder={t('tickets.filter.priority')}
          value={f.priority}
          onChange={(v?: string) => change('priority', v)}
          options={opts(TICKET_PRIORITIES, 'tickets.priority')}
          style={{ width: 110 }}
        />
        <Select
          allowClear
          placeholder={t('tickets.filter.category')}
          value={f.category}
          onChange={(v?: string) => change('category', v)}
          options={opts(TICKET_CATEGORIES, 'tickets.category')}
          style={{ width: 130 }}
        />
        <Select
          allowClear
          placeholder={t('tickets.filter.source')}
          value={f.source}
          onChange={(v?: string) => change('source', v)}
          options={opts(TICKET_SOURCES, 'tickets.source')}
          style={{ width: 110 }}
        />
        {units && (
          <TreeSelect
            allowClear
            treeDefaultExpandAll
            placeholder={t('tickets.filter.unit')}
            value={f.unitId}
            onChange={(v?: string) => change('unitId', v)}
            treeData={buildTree(units)}
            style={{ width: 180 }}
          />
        )}
        <DatePicker.RangePicker
          value={f.createdFrom && f.createdTo ? [dayjs(f.createdFrom), dayjs(f.createdTo)] : null}
          onChange={(r) => {
            set({
              createdFrom: r?.[0]?.startOf('day').toISOString(),
              createdTo: r?.[1]?.endOf('day').toISOString(),
            });
            setPage((p) => ({ ...p, page: 1 }));
          }}
        />
        <Select
          value={f.sort ?? '-createdAt'}
          onChange={(v: string) => change('sort', v === '-createdAt' ? undefined : v)}
          options={[
            { value: '-createdAt', label: t('tickets.filter.sortCreated') },
            { value: '-updatedAt', label: t('tickets.filter.sortUpdated') },
            { value: 'resolutionDueAt', label: t('tickets.filter.sortDue') },
          ]}
          style={{ width: 150 }}
        />
        <DownloadButton url={`/tickets/export${ticketQuery({ ...f, sort: undefined })}`} data-testid="ticket-export">
          {t('tickets.export')}
        </DownloadButton>
      </Space>
      <Table<TTicket>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 1450 }}
        pagination={{
          current: page.page,
          pageSize: page.pageSize,
          total: list.data?.total ?? 0,
          showTotal: (n) => t('common.total', { n }),
          onChange: (p, s) => setPage({ page: p, pageSize: s }),
        }}
        columns={[
          {
            title: t('tickets.col.no'),
            dataIndex: 'no',
            width: 100,
            render: (no: string, r) => <Link to={`/tickets/${r.id}`}>{no}</Link>,
          },
          {
            title: t('tickets.col.title'),
            dataIndex: 'title',
            width: 260,
            ellipsis: true,
            render: (v: string, r) => <Link to={`/tickets/${r.id}`}>{v}</Link>,
          },
          { title: t('tickets.col.status'), dataIndex: 'status', width: 110, render: (s) => <StatusTag status={s} /> },
          { title: t('tickets.col.sla'), dataIndex: 'slaState', width: 100, render: (s) => <SlaTag state={s} /> },
          {
            title: t('tickets.col.priority'),
            dataIndex: 'priority',
            width: 80,
            render: (p) => <PriorityTag priority={p} />,
          },
          {
            title: t('tickets.col.category'),
            dataIndex: 'category',
            width: 100,
            render: (c: string) => t(`tickets.category.${c}`),
          },
          { title: t('tickets.col.unit'), dataIndex: 'unitName', width: 140, ellipsis: true },
          { title: t('tickets.col.staff'), dataIndex: 'staffName', width: 100, render: (v) => v ?? '—' },
          {
            title: t('tickets.col.assignee'),
            dataIndex: 'assigneeName',
            width: 100,
            render: (v: string | null) =>
              v ?? <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>,
          },
          {
            title: t('tickets.col.resolutionDue'),
            dataIndex: 'resolutionDueAt',
            width: 160,
            render: (v: string | null) => fmtTime(v),
          },
          { title: t('tickets.col.createdAt'), dataIndex: 'createdAt', width: 160, render: (v: string) => fmtTime(v) },
        ]}
      />
    </>
  );
}
