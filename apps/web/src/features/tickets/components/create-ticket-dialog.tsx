import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  ZCreateTicketInput,
  type TCreateTicketInput,
  type TCustomer,
  type TPage,
  type TUser,
} from '@huifang/shared';
import { App, Form, Input, Modal, Select, TreeSelect } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { applyServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { can, useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { createTicket, TICKETS_KEY } from '../api.ts';

const F = ZCreateTicketInput.shape;

/** 新建工单: title, description, category, priority, outlet, and optionally the customer and the staff concerned. */
export function CreateTicketDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const [form] = Form.useForm<TCreateTicketInput>();
  const [customerQ, setCustomerQ] = useState('');
  const [busy, setBusy] = useState(false);
  const unitId = Form.useWatch('unitId', form);
  const customers = useQuery({
    queryKey: ['customers', 'pick', customerQ],
    enabled: can(me, 'customer:read') && customerQ.trim().length >= 1,
    queryFn: () => get<TPage<TCustomer>>(`/customers${qs({ q: customerQ.trim(), pageSize: 20 })}`).then((p) => p.items),
  });
  const staff = useQuery({
    queryKey: ['users', 'pick', unitId],
    enabled: can(me, 'user:read') && !!unitId,
    queryFn: () => get<TPage<TUser>>(`/users${qs({ unitId, pageSize: 100, isActive: 'true' })}`).then((p) => p.items),
  });
  const onOk = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    setBusy(true);
    try {
      const d = await createTicket(v);
      await qc.invalidateQueries({ queryKey: TICKETS_KEY });
      void message.success(t('tickets.form.created', { no: d.ticket.no }));
      onCreated(d.ticket.id);
    } catch (e) {
      applyServerErrors(form, e, i18n.language);
      void message.error(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('tickets.create')}
      onCancel={onClose}
      onOk={() => void onOk()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'ticket-create-ok' } as never}
      width={560}
    >
      <Form form={form} layout="vertical" name="createTicket" initialValues={{ priority: 'normal', category: 'other' }}>
        <Form.Item name="title" label={t('tickets.form.title')} rules={[{ required: true }, zodRule(F.title)]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.form.description')} rules={[zodRule(F.description)]}>
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
        <Form.Item name="category" label={t('tickets.form.category')} rules={[{ required: true }]}>
          <Select options={TICKET_CATEGORIES.map((c) => ({ value: c, label: t(`tickets.category.${c}`) }))} />
        </Form.Item>
        <Form.Item name="priority" label={t('tickets.form.priority')} rules={[{ required: true }]}>
          <Select options={TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name="unitId" label={t('tickets.form.unit')} rules={[{ required: true }]}>
          <TreeSelect treeDefaultExpandAll showSearch treeNodeFilterProp="title" treeData={buildTree(units)} />
        </Form.Item>
        {can(me, 'customer:read') && (
          <Form.Item name="customerId" label={t('tickets.form.customer')}>
            <Select
              allowClear
              showSearch
              filterOption={false}
              placeholder={t('tickets.form.customerSearch')}
              onSearch={setCustomerQ}
              options={(customers.data ?? []).map((c) => ({ value: c.id, label: `${c.name} ${c.phones[0] ?? ''}` }))}
            />
          </Form.Item>
        )}
        {can(me, 'user:read') && (
          <Form.Item name="staffId" label={t('tickets.form.staff')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              disabled={!unitId}
              options={(staff.data ?? []).map((u) => ({ value: u.id, label: `${u.displayName} · ${u.unitName}` }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
