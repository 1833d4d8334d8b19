import {
  REPORT_FREQUENCIES,
  REPORT_KINDS,
  ZReportScheduleFields,
  type TReportSchedule,
  type TReportScheduleInput,
} from '@huifang/shared';
import { App, Form, Input, InputNumber, Modal, Select, Switch, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { useRecipientOptions, useScheduleActions } from '../api.ts';

type TValues = Omit<TReportScheduleInput, 'weekday' | 'monthDay'> & { weekday?: number; monthDay?: number };
const F = ZReportScheduleFields.shape;

/** Create or edit a scheduled report 定时报表 (recipients: active users of the editor's scope). */
export function ScheduleModal({ schedule, onClose }: { schedule: TReportSchedule | 'new'; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TValues>();
  const frequency = Form.useWatch('frequency', form);
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const [search, setSearch] = useState('');
  const people = useRecipientOptions(search).data ?? [];
  const { save } = useScheduleActions();
  const editing = schedule === 'new' ? null : schedule;
  const known = new Map(editing?.recipients.map((r) => [r.id, r.displayName]));
  for (const p of people) known.set(p.id, p.displayName);
  const initial: Partial<TValues> = editing
    ? {
        name: editing.name,
        kind: editing.kind,
        frequency: editing.frequency,
        weekday: editing.weekday ?? undefined,
        monthDay: editing.monthDay ?? undefined,
        sendTime: editing.sendTime,
        unitId: editing.unitId,
        recipientIds: editing.recipientIds,
        enabled: editing.enabled,
      }
    : {
        kind: 'staff_performance',
        frequency: 'weekly',
        weekday: 1,
        sendTime: '08:00',
        enabled: true,
        recipientIds: [],
      };

  const onOk = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      await save.mutateAsync({
        id: editing?.id,
        input: {
          ...v,
          weekday: v.frequency === 'weekly' ? (v.weekday ?? null) : null,
          monthDay: v.frequency === 'monthly' ? (v.monthDay ?? null) : null,
        },
      });
      void message.success(t('reports.saved'));
      onClose();
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Modal
      open
      title={editing ? t('reports.editSchedule') : t('reports.newSchedule')}
      okText={t('common.save')}
      onOk={() => void onOk()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} name="schedule" layout="vertical" initialValues={initial} data-testid="schedule-form">
        <Form.Item name="name" label={t('reports.scheduleName')} rules={[{ required: true }, zodRule(F.name)]}>
          <Input data-testid="schedule-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('reports.kind')} rules={[{ required: true }]}>
          <Select options={REPORT_KINDS.map((k) => ({ value: k, label: t(`reports.kinds.${k}`) }))} />
        </Form.Item>
        <Form.Item name="frequency" label={t('reports.frequency')} rules={[{ required: true }]}>
          <Select
            data-testid="schedule-frequency"
            options={REPORT_FREQUENCIES.map((f) => ({ value: f, label: t(`reports.frequencies.${f}`) }))}
          />
        </Form.Item>
        {frequency === 'weekly' && (
          <Form.Item name="weekday" label={t('reports.weekday')} rules={[{ required: true }]}>
            <Select options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`reports.weekdays.${d}`) }))} />
          </Form.Item>
        )}
        {frequency === 'monthly' && (
          <Form.Item name="monthDay" label={t('reports.monthDay')} rules={[{ required: true }]}>
            <InputNumber min={1} max={31} />
          </Form.Item>
        )}
        <Form.Item
          name="sendTime"
          label={t('reports.sendTime')}
          extra={t('reports.sendTimeHint')}
          rules={[{ required: true }, zodRule(F.sendTime)]}
        >
          <Input placeholder="08:00" style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="unitId" label={t('reports.unit')} rules={[{ required: true }]}>
          <TreeSelect
            data-testid="schedule-unit"
            treeData={tree}
            treeDefaultExpandAll
            showSearch
            treeNodeFilterProp="title"
          />
        </Form.Item>
        <Form.Item
          name="recipientIds"
          label={t('reports.recipients')}
          rules={[{ required: true }, zodRule(F.recipientIds)]}
        >
          <Select
            data-testid="schedule-recipients"
            mode="multiple"
            showSearch
            filterOption={false}
            onSearch={setSearch}
            options={[...known].map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
        <Form.Item name="enabled" label={t('reports.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
