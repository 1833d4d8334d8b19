import { useQueryClient } from '@tanstack/react-query';
import { UNIT_TYPES, ZCreateOrgUnitInput, type TOrgUnit } from '@huifang/shared';
import { App, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../../../api/client.ts';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { UNITS_KEY } from '../api.ts';

interface TValues {
  name: string;
  type: TOrgUnit['type'];
  code?: string;
  sortOrder?: number;
}

/** Create a child of `parent`, or edit `unit`. */
export function UnitFormModal(props: {
  open: boolean;
  parent?: TOrgUnit;
  unit?: TOrgUnit;
  onClose: (saved?: TOrgUnit) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<TValues>();
  const editing = props.unit;

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    if (editing)
      form.setFieldsValue({
        name: editing.name,
        type: editing.type,
        code: editing.code ?? undefined,
        sortOrder: editing.sortOrder,
      });
    else form.setFieldsValue({ type: nextType(props.parent?.type) });
  }, [props.open, editing, props.parent, form]);

  const onOk = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      const saved = editing
        ? await patch<TOrgUnit>(`/org-units/${editing.id}`, { ...v, code: v.code || null })
        : await post<TOrgUnit>('/org-units', { ...v, code: v.code || undefined, parentId: props.parent!.id });
      await qc.invalidateQueries({ queryKey: UNITS_KEY });
      void message.success(t('common.saved'));
      props.onClose(saved);
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Modal
      open={props.open}
      title={editing ? t('org.rename') : `${t('org.createChild')} · ${props.parent?.name ?? ''}`}
      onOk={() => void onOk()}
      onCancel={() => props.onClose()}
      destroyOnHidden
      okText={t('common.save')}
    >
      <Form
        form={form}
        name="unit"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
      >
        <Form.Item name="type" label={t('common.type')} rules={[zodRule(ZCreateOrgUnitInput.shape.type)]}>
          <Select options={UNIT_TYPES.map((ty) => ({ value: ty, label: t(`unitType.${ty}`) }))} />
        </Form.Item>
        <Form.Item name="name" label={t('common.name')} rules={[zodRule(ZCreateOrgUnitInput.shape.name)]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="code" label={t('common.code')} rules={[zodRule(ZCreateOrgUnitInput.shape.code)]}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="sortOrder" label={t('org.sortOrder')}>
          <InputNumber min={0} max={100000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A sensible default type for a new child: HQ → branch → outlet → counter. */
function nextType(parent?: TOrgUnit['type']): TOrgUnit['type'] {
  if (parent === 'hq') return 'branch';
  if (parent === 'branch') return 'outlet';
  return 'counter';
}
