import { RULE_KINDS } from '@huifang/shared';
import { Form, Input, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useDictionary } from '../../customers/api.ts';
import { useServiceTypes } from '../api.ts';

/** The parameters of a rule plan (ZFollowupRule), under the form name ['rule', …]; shown for the chosen kind only. */
export function RuleFields() {
  const { t } = useTranslation();
  const kind = Form.useWatch(['rule', 'kind']) as string | undefined;
  const serviceTypes = useServiceTypes().data ?? [];
  const tiers = useDictionary('tier').data ?? [];
  const days = (name: string, label: string, min = 0) => (
    <Form.Item name={['rule', name]} label={label} rules={[{ required: true, message: t('followup.plan.required') }]}>
      <InputNumber min={min} max={366} addonAfter={t('followup.plan.days')} style={{ width: 160 }} />
    </Form.Item>
  );
  return (
    <>
      <Form.Item
        name={['rule', 'kind']}
        label={t('followup.plan.ruleKind')}
        rules={[{ required: true, message: t('followup.plan.required') }]}
      >
        <Select
          data-testid="plan-rule-kind"
          options={RULE_KINDS.map((k) => ({ value: k, label: t(`followup.rules.${k}`) }))}
        />
      </Form.Item>
      {kind === 'after_service' && (
        <Space wrap>
          <Form.Item
            name={['rule', 'serviceTypeId']}
            label={t('followup.plan.serviceType')}
            rules={[{ required: true, message: t('followup.plan.required') }]}
          >
            <Select style={{ width: 200 }} options={serviceTypes.map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
          {days('afterDays', t('followup.plan.afterDays'))}
          {days('withinDays', t('followup.plan.withinDays'), 1)}
        </Space>
      )}
      {kind === 'periodic' && (
        <Space wrap>
          {tiers.map((tier) => (
            <Form.Item
              key={tier.code}
              name={['rule', 'monthsByTier', tier.code]}
              label={`${tier.label} ${t('followup.plan.everyMonths')}`}
            >
              <InputNumber min={1} max={12} style={{ width: 120 }} />
            </Form.Item>
          ))}
          <Form.Item
            name={['rule', 'defaultMonths']}
            label={`${t('followup.plan.otherTiers')} ${t('followup.plan.everyMonths')}`}
          >
            <InputNumber min={1} max={12} style={{ width: 120 }} />
          </Form.Item>
        </Space>
      )}
      {kind === 'birthday' && days('leadDays', t('followup.plan.leadDays'))}
      {kind === 'holiday' && (
        <Space wrap>
          <Form.Item
            name={['rule', 'name']}
            label={t('followup.plan.holidayName')}
            rules={[{ required: true, message: t('followup.plan.required') }]}
          >
            <Input style={{ width: 160 }} />
          </Form.Item>
          <Form.Item
            name={['rule', 'dates']}
            label={t('followup.plan.holidayDates')}
            rules={[{ required: true, message: t('followup.plan.required') }]}
          >
            <Select mode="tags" style={{ width: 240 }} placeholder="MM-DD" tokenSeparators={[',', ' ']} />
          </Form.Item>
          {days('leadDays', t('followup.plan.leadDays'))}
        </Space>
      )}
      {(kind === 'complaint_resolved' || kind === 'churn_warning' || kind === 'potential_customer') &&
        days('withinDays', t('followup.plan.withinDays'), 1)}
    </>
  );
}

/** Rule parameters from the form as the API takes them (numbers absent → the schema defaults). */
export function ruleFromForm(rule: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!rule?.kind) return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) if (v !== undefined && v !== null && v !== '') out[k] = v;
  if (rule.kind === 'periodic') {
    const m = (rule.monthsByTier ?? {}) as Record<string, number | null | undefined>;
    out.monthsByTier = Object.fromEntries(
      Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    out.defaultMonths = typeof rule.defaultMonths === 'number' ? rule.defaultMonths : null;
  }
  return out;
}
