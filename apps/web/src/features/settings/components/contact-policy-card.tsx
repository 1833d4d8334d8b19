import { ZContactPolicyInput, type TContactPolicyInput } from '@huifang/shared';
import { Button, Card, Form, InputNumber, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useFormSave } from '../../../lib/use-form-save.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { POLICY_KEY, saveContactPolicy, useContactPolicy } from '../api.ts';

const F = ZContactPolicyInput.shape;
/** The whole-object rule (quiet hours must end at another hour than they start), on the field it names. */
const crossRule =
  (field: keyof TContactPolicyInput, text: string) =>
  ({ getFieldsValue }: { getFieldsValue: () => unknown }) => ({
    validator: async () => {
      const issue = ZContactPolicyInput.safeParse(getFieldsValue()).error?.issues.find(
        (i) => i.path[0] === field && i.code === 'custom',
      );
      if (issue) throw new Error(text);
    },
  });

/** 联系策略: the tenant's quiet hours and contact gap, as the sender and new plans apply them. */
export function ContactPolicyCard({ canWrite }: { canWrite: boolean }) {
  const { t } = useTranslation();
  const policy = useContactPolicy().data;
  const [form] = Form.useForm<TContactPolicyInput>();
  const onSave = useFormSave(form, {
    save: saveContactPolicy,
    queryKey: POLICY_KEY,
    savedText: t('settingsPage.policy.saved'),
  });
  const hour = (name: 'quietFromHour' | 'quietToHour', label: string) => (
    <Form.Item
      name={name}
      label={label}
      rules={[{ required: true }, zodRule(F[name]), crossRule(name, t('settingsPage.policy.sameHours'))]}
      dependencies={name === 'quietToHour' ? ['quietFromHour'] : []}
    >
      <InputNumber min={0} max={23} precision={0} addonAfter=":00" style={{ width: 120 }} />
    </Form.Item>
  );
  // The form mounts once the policy is loaded, so its first render already shows the tenant's values
  // (and the "defaults" line never shows while the request is still under way).
  if (!policy) return <Card size="small" title={t('settingsPage.policy.title')} style={{ marginBottom: 16 }} loading />;
  return (
    <Card size="small" title={t('settingsPage.policy.title')} style={{ marginBottom: 16 }} data-testid="contact-policy">
      <Typography.Paragraph type="secondary">{t('settingsPage.policy.hint')}</Typography.Paragraph>
      <Form
        form={form}
        name="policy"
        initialValues={{
          quietFromHour: policy.quietFromHour,
          quietToHour: policy.quietToHour,
          minGapDays: policy.minGapDays,
        }}
        layout="inline"
        disabled={!canWrite}
        style={{ rowGap: 8 }}
      >
        {hour('quietFromHour', t('settingsPage.policy.quietFrom'))}
        {hour('quietToHour', t('settingsPage.policy.quietTo'))}
        <Form.Item
          name="minGapDays"
          label={t('settingsPage.policy.minGapDays')}
          rules={[{ required: true }, zodRule(F.minGapDays)]}
        >
          <InputNumber
            min={0}
            max={365}
            precision={0}
            addonAfter={t('settingsPage.policy.days')}
            style={{ width: 140 }}
          />
        </Form.Item>
        {canWrite && (
          <Form.Item>
            <Button type="primary" onClick={() => void onSave()} data-testid="policy-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        )}
      </Form>
      <Space style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">
          {policy.updatedAt
            ? t('settingsPage.policy.updatedAt', { at: fmtTime(policy.updatedAt) })
            : t('settingsPage.policy.defaults')}
        </Typography.Text>
      </Space>
    </Card>
  );
}
