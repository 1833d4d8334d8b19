import { useQueryClient } from '@tanstack/react-query';
import { ZCreateCustomerInput, type TCustomerDetail, type TCustomFieldDef } from '@huifang/shared';
import { App, Button, DatePicker, Drawer, Form, Input, InputNumber, Radio, Select, Space, Switch, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../../../api/client.ts';
import { errorText, fieldErrors } from '../../../api/error-text.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { CUSTOMERS_KEY, useCustomFields, useDictionary } from '../api.ts';

const S = ZCreateCustomerInput.shape;

function CustomInput({ def }: { def: TCustomFieldDef }) {
  if (def.type === 'number') return <InputNumber style={{ width: '100%' }} />;
  if (def.type === 'option') return <Select allowClear options={def.options.map((o) => ({ value: o, label: o }))} />;
  if (def.type === 'date') return <Input placeholder="YYYY-MM-DD" />;
  return <Input />;
}

/** Create or edit a customer. Custom fields come from the tenant's definitions — no code change to add one. */
export function CustomerDrawer(props: { open: boolean; customer?: TCustomerDetail; onClose: (id?: string) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const defs = useCustomFields().data ?? [];
  const intents = useDictionary('intent_level').data ?? [];
  const sources = useDictionary('customer_source').data ?? [];
  const tiers = useDictionary('tier').data ?? [];
  const c = props.customer;

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    if (c) form.setFieldsValue({ ...c, phones: undefined, email: undefined, address: undefined, idNumber: undefined, birthday: c.birthday ? dayjs(c.birthday) : undefined });
    else form.setFieldsValue({ kind: 'individual', unitId: me?.user.unitId, consentService: true, consentMarketing: false });
  }, [props.open, c, form, me]);

  const onSave = async () => {
    const v = (await form.validateFields()) as Record<string, unknown> & { birthday?: dayjs.Dayjs; phonesText?: string };
    const body: Record<string, unknown> = { ...v, birthday: v.birthday ? v.birthday.format('YYYY-MM-DD') : null };
    delete body.phonesText;
    if (v.phonesText !== undefined) body.phones = String(v.phonesText).split(/[,，;；\s]+/).filter(Boolean);
    for (const k of ['email', 'address', 'idNumber']) if (body[k] === '' || body[k] === undefined) delete body[k];
    try {
      const saved = c ? await patch<TCustomerDetail>(`/customers/${c.id}`, body) : await post<TCustomerDetail>('/customers', body);
      await qc.invalidateQueries({ queryKey: CUSTOMERS_KEY });
      void message.success(t('common.saved'));
      props.onClose(saved.id);
    } catch (e) {
      const f = fieldErrors(e).map((x) => (x.name[0] === 'phones' ? { ...x, name: ['phonesText'] } : x));
      if (f.length) form.setFields(f as never);
      else void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Drawer open={props.open} width={600} destroyOnHidden title={c ? `${t('customer.edit')} · ${c.name}` : t('customer.create')} onClose={() => props.onClose()}
      extra={<Space><Button onClick={() => props.onClose()}>{t('common.cancel')}</Button><Button type="primary" data-testid="customer-save" onClick={() => void onSave()}>{t('common.save')}</Button></Space>}>
      <Form form={form} name="customer" layout="vertical">
        <Form.Item name="kind" label={t('customer.kind')}>
          <Radio.Group options={[{ value: 'individual', label: t('customer.individual') }, { value: 'company', label: t('customer.company') }]} />
        </Form.Item>
        <Form.Item name="name" label={t('customer.name')} rules={[zodRule(S.name)]}><Input /></Form.Item>
        <Form.Item name="phonesText" label={t('customer.phones')} extra={c ? t('customer.phonesEditHint') : t('customer.phonesHint')}><Input /></Form.Item>
        <Space.Compact block>
          <Form.Item name="gender" label={t('customer.gender')} style={{ flex: 1 }}>
            <Select allowClear options={['male', 'female', 'unknown'].map((g) => ({ value: g, label: t(`gender.${g}`) }))} />
          </Form.Item>
          <Form.Item name="birthday" label={t('customer.birthday')} style={{ flex: 1, marginInlineStart: 8 }}><DatePicker style={{ width: '100%' }} /></Form.Item>
        </Space.Compact>
        {!c && <Form.Item name="email" label={t('user.email')} rules={[zodRule(S.email, { emptyAs: undefined })]}><Input /></Form.Item>}
        {!c && <Form.Item name="address" label={t('customer.address')}><Input /></Form.Item>}
        {!c && <Form.Item name="idNumber" label={t('customer.idNumber')} rules={[zodRule(S.idNumber, { emptyAs: undefined })]}><Input /></Form.Item>}
        <Form.Item name="unitId" label={t('common.unit')} rules={[zodRule(S.unitId)]}><TreeSelect treeData={tree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" /></Form.Item>
        <Space.Compact block>
          <Form.Item name="tier" label={t('customer.tier')} style={{ flex: 1 }}><Select allowClear options={tiers.map((d) => ({ value: d.code, label: d.label }))} /></Form.Item>
          <Form.Item name="intentLevel" label={t('customer.intentLevel')} style={{ flex: 1, marginInlineStart: 8 }}><Select allowClear options={intents.map((d) => ({ value: d.code, label: d.label }))} /></Form.Item>
          <Form.Item name="source" label={t('customer.source')} style={{ flex: 1, marginInlineStart: 8 }}><Select allowClear options={sources.map((d) => ({ value: d.code, label: d.label }))} /></Form.Item>
        </Space.Compact>
        <Form.Item name="tags" label={t('customer.tags')}><Select mode="tags" /></Form.Item>
        <Space>
          <Form.Item name="consentService" label={t('customer.consentService')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="consentMarketing" label={t('customer.consentMarketing')} valuePropName="checked"><Switch /></Form.Item>
        </Space>
        {defs.map((d) => (
          <Form.Item key={d.key} name={['custom', d.key]} label={d.label} rules={d.isRequired ? [{ required: true, message: `${d.label} 为必填项` }] : []}>
            <CustomInput def={d} />
          </Form.Item>
        ))}
      </Form>
    </Drawer>
  );
}
