import { useQueryClient } from '@tanstack/react-query';
import {
  langOf,
  validationText,
  ZCreateCustomerInput,
  type TCustomerDetail,
  type TCustomFieldDef,
  type TErrorDetail,
} from '@huifang/shared';
import {
  App,
  Button,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  TreeSelect,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, patch, post } from '../../../api/client.ts';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
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
  const navigate = useNavigate();
  /** A phone another customer has (409 DUPLICATE_PHONE): the request waiting for the user's decision. */
  const [duplicate, setDuplicate] = useState<{
    body: Record<string, unknown>;
    existing: TErrorDetail['existing'];
  } | null>(null);

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    if (c)
      form.setFieldsValue({
        ...c,
        phones: undefined,
        email: undefined,
        address: undefined,
        idNumber: undefined,
        cardNumbers: undefined,
        birthday: c.birthday ? dayjs(c.birthday) : undefined,
      });
    else
      form.setFieldsValue({
        kind: 'individual',
        unitId: me?.user.unitId,
        consentService: true,
        consentMarketing: false,
      });
  }, [props.open, c, form, me]);

  const send = async (body: Record<string, unknown>) => {
    clearServerErrors(form);
    try {
      const saved = c
        ? await patch<TCustomerDetail>(`/customers/${c.id}`, body)
        : await post<TCustomerDetail>('/customers', body);
      await qc.invalidateQueries({ queryKey: CUSTOMERS_KEY });
      void message.success(t('common.saved'));
      props.onClose(saved.id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'DUPLICATE_PHONE')
        setDuplicate({ body, existing: e.details[0]?.existing ?? null });
      else if (
        !applyServerErrors(form, e, i18n.language, (n) =>
          n[0] === 'phones' ? ['phonesText'] : n[0] === 'cardNumbers' ? ['cardNumbersText'] : n,
        )
      )
        void message.error(errorText(e, i18n.language));
    }
  };

  const onSave = async () => {
    const v = (await validatedValues(form)) as
      (Record<string, unknown> & { birthday?: dayjs.Dayjs; phonesText?: string; cardNumbersText?: string }) | null;
    if (!v) return;
    const body: Record<string, unknown> = { ...v, birthday: v.birthday ? v.birthday.format('YYYY-MM-DD') : null };
    delete body.phonesText;
    delete body.cardNumbersText;
    if (v.phonesText !== undefined)
      body.phones = String(v.phonesText)
        .split(/[,，;；\s]+/)
        .filter(Boolean);
    // Cards are separated by commas or semicolons only: spaces and dashes group the digits of one card.
    if (v.cardNumbersText !== undefined && (v.cardNumbersText !== '' || !c))
      body.cardNumbers = String(v.cardNumbersText)
        .split(/[,，;；、]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    for (const k of ['email', 'address', 'idNumber']) if (body[k] === '' || body[k] === undefined) delete body[k];
    await send(body);
  };

  const openExisting = () => {
    const id = duplicate?.existing?.id;
    setDuplicate(null);
    props.onClose();
    if (id) void navigate(`/customers/${id}`);
  };
  const saveAnyway = () => {
    const body = duplicate?.body;
    setDuplicate(null);
    if (body) void send({ ...body, allowDuplicatePhone: true });
  };

  return (
    <Drawer
      open={props.open}
      width={600}
      destroyOnHidden
      title={c ? `${t('customer.edit')} · ${c.name}` : t('customer.create')}
      onClose={() => props.onClose()}
      extra={
        <Space>
          <Button onClick={() => props.onClose()}>{t('common.cancel')}</Button>
          <Button type="primary" data-testid="customer-save" onClick={() => void onSave()}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Modal
        open={!!duplicate}
        title={t('customerDuplicate.title')}
        onCancel={() => setDuplicate(null)}
        destroyOnHidden
        footer={[
          <Button key="back" onClick={() => setDuplicate(null)}>
            {t('customerDuplicate.back')}
          </Button>,
          duplicate?.existing ? (
            <Button key="open" data-testid="duplicate-open" onClick={openExisting}>
              {t('customerDuplicate.open')}
            </Button>
          ) : null,
          <Button key="save" type="primary" data-testid="duplicate-save" onClick={saveAnyway}>
            {t('customerDuplicate.saveAnyway')}
          </Button>,
        ]}
      >
        {duplicate?.existing ? (
          <div data-testid="duplicate-existing">
            <Typography.Paragraph>{t('customerDuplicate.visible')}</Typography.Paragraph>
            <Typography.Text strong>{duplicate.existing.name}</Typography.Text> · {duplicate.existing.phone} ·{' '}
            {duplicate.existing.unitName}
          </div>
        ) : (
          <Typography.Paragraph data-testid="duplicate-existing">{t('customerDuplicate.hidden')}</Typography.Paragraph>
        )}
      </Modal>
      <Form
        form={form}
        name="customer"
        layout="vertical"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
      >
        <Form.Item name="kind" label={t('customer.kind')}>
          <Radio.Group
            options={[
              { value: 'individual', label: t('customer.individual') },
              { value: 'company', label: t('customer.company') },
            ]}
          />
        </Form.Item>
        <Form.Item name="name" label={t('customer.name')} rules={[zodRule(S.name)]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="phonesText"
          label={t('customer.phones')}
          extra={c ? t('customer.phonesEditHint') : t('customer.phonesHint')}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="cardNumbersText"
          label={t('customer.cardNumbers')}
          extra={c ? t('customer.cardNumbersEditHint') : t('customer.cardNumbersHint')}
        >
          <Input inputMode="numeric" />
        </Form.Item>
        <Space.Compact block>
          <Form.Item name="gender" label={t('customer.gender')} style={{ flex: 1 }}>
            <Select
              allowClear
              options={['male', 'female', 'unknown'].map((g) => ({ value: g, label: t(`gender.${g}`) }))}
            />
          </Form.Item>
          <Form.Item name="birthday" label={t('customer.birthday')} style={{ flex: 1, marginInlineStart: 8 }}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </Space.Compact>
        {!c && (
          <Form.Item name="email" label={t('user.email')} rules={[zodRule(S.email, { emptyAs: undefined })]}>
            <Input />
          </Form.Item>
        )}
        {!c && (
          <Form.Item name="address" label={t('customer.address')}>
            <Input />
          </Form.Item>
        )}
        {!c && (
          <Form.Item
            name="idNumber"
            label={t('customer.idNumber')}
            rules={[zodRule(S.idNumber, { emptyAs: undefined })]}
          >
            <Input />
          </Form.Item>
        )}
        <Form.Item name="unitId" label={t('common.unit')} rules={[zodRule(S.unitId)]}>
          <TreeSelect treeData={tree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Space.Compact block>
          <Form.Item name="tier" label={t('customer.tier')} style={{ flex: 1 }}>
            <Select allowClear options={tiers.map((d) => ({ value: d.code, label: d.label }))} />
          </Form.Item>
          <Form.Item name="intentLevel" label={t('customer.intentLevel')} style={{ flex: 1, marginInlineStart: 8 }}>
            <Select allowClear options={intents.map((d) => ({ value: d.code, label: d.label }))} />
          </Form.Item>
          <Form.Item name="source" label={t('customer.source')} style={{ flex: 1, marginInlineStart: 8 }}>
            <Select allowClear options={sources.map((d) => ({ value: d.code, label: d.label }))} />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="tags" label={t('customer.tags')}>
          <Select mode="tags" />
        </Form.Item>
        <Space>
          <Form.Item name="consentService" label={t('customer.consentService')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="consentMarketing" label={t('customer.consentMarketing')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        {defs.map((d) => (
          <Form.Item
            key={d.key}
            name={['custom', d.key]}
            label={d.label}
            rules={
              d.isRequired
                ? [{ required: true, message: validationText({ code: 'required' }, d.label, langOf(i18n.language)) }]
                : []
            }
          >
            <CustomInput def={d} />
          </Form.Item>
        ))}
      </Form>
    </Drawer>
  );
}
