import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ASSIGNMENT_POLICIES,
  FOLLOWUP_TOPICS,
  followupPlanFields as F,
  TARGET_KINDS,
  type TCreatePlanInput,
  type TCustomer,
  type TFollowupPlan,
  type TPage,
} from '@huifang/shared';
import {
  Alert,
  App,
  Button,
  Col,
  DatePicker,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  TreeSelect,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { planContactDefaults, useContactPolicy } from '../../settings/api.ts';
import {
  createPlan,
  FOLLOWUP_KEY,
  updatePlan,
  useMethods,
  usePublishedSurveys,
  useSavedFilters,
  useWorkers,
} from '../api.ts';
import { RuleFields, ruleFromForm } from './rule-fields.tsx';
import { MessageFields } from './message-fields.tsx';
import { ScriptField } from './script-field.tsx';

const fen = (yuan: unknown) => (typeof yuan === 'number' ? Math.round(yuan * 100) : null);
const yuan = (f: number | null) => (f === null ? undefined : f / 100);

/** Customers picked by name search (an explicit target list). */
function CustomerPicker(props: { value?: string[]; onChange?: (v: string[]) => void }) {
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['customers', 'pick', q],
    queryFn: () => get<TPage<TCustomer>>(`/customers${qs({ q: q || undefined, pageSize: 20 })}`).then((r) => r.items),
  });
  const [known, setKnown] = useState<Record<string, string>>({});
  const options = [
    ...new Map([
      ...(props.value ?? []).map((id) => [id, known[id] ?? id] as const),
      ...(found.data ?? []).map((c) => [c.id, `${c.name} · ${c.unitName}`] as const),
    ]),
  ].map(([value, label]) => ({ value, label }));
  return (
    <Select
      mode="multiple"
      showSearch
      filterOption={false}
      onSearch={setQ}
      value={props.value}
      options={options}
      loading={found.isFetching}
      data-testid="plan-customers"
      onChange={(v: string[]) => {
        setKnown((k) => ({ ...k, ...Object.fromEntries(options.map((o) => [o.value, o.label])) }));
        props.onChange?.(v);
      }}
    />
  );
}

/** Create or edit a follow-up plan (a draft or a paused plan) with the shared Zod field rules. */
export function PlanDrawer(props: {
  open: boolean;
  plan?: TFollowupPlan | undefined;
  onClose: (saved?: TFollowupPlan) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const methods = useMethods().data ?? [];
  const workers = useWorkers().data ?? [];
  const filters = useSavedFilters().data ?? [];
  const surveys = usePublishedSurveys().data ?? [];
  const targetKind = Form.useWatch('targetKind', form) as string | undefined;
  const assignment = Form.useWatch('assignment', form) as string | undefined;
  const p = props.plan;
  // New plans start from the tenant's contact policy (settings → 联系策略).
  const policy = useContactPolicy().data;

  const policyRef = useRef(policy);
  policyRef.current = policy;
  // The form is filled once per opening. The tenant policy is not a dependency here: when it arrived after the
  // drawer opened, it used to reset the whole form and wipe what the user had already typed or chosen.
  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    if (p)
      form.setFieldsValue({
        ...p,
        startDate: dayjs(p.startDate),
        budgetFen: yuan(p.budgetFen),
        giftFen: yuan(p.giftFen),
        rule: p.rule ?? undefined,
        autoMessage: Boolean(p.message),
        message: p.message ?? undefined,
      });
    else
      form.setFieldsValue({
        topic: 'satisfaction',
        methods: ['phone'],
        targetKind: 'segment',
        startDate: dayjs(),
        dueDays: 7,
        assignment: 'owner',
        maxAttempts: 3,
        retryHours: 4,
        ...planContactDefaults(policyRef.current),
        escalateAfterDays: 2,
        remindByEmail: false,
        script: '您好，{客户称呼}！我是{网点名称}的{坐席姓名}，想了解一下您对我们服务的评价。',
      });
  }, [props.open, p, form]);
  // A policy that arrives later fills only the contact fields of a new plan that the user has not touched.
  useEffect(() => {
    if (!props.open || p || !policy) return;
    const defaults = planContactDefaults(policy);
    form.setFieldsValue(Object.fromEntries(Object.entries(defaults).filter(([k]) => !form.isFieldTouched(k))));
  }, [props.open, p, form, policy]);

  const onSave = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    const {
      autoMessage,
      message: msg,
      ...rest
    } = v as Record<string, unknown> & {
      autoMessage?: boolean;
      message?: { channel: 'sms' | 'email'; template: string; templateCode?: string; subject?: string };
    };
    const body = {
      ...rest,
      // 自动发送: only the fields of the chosen channel; null = worked by agents.
      message:
        autoMessage && msg
          ? {
              channel: msg.channel,
              template: msg.template,
              templateCode: msg.channel === 'sms' ? msg.templateCode || null : null,
              subject: msg.channel === 'email' ? msg.subject || null : null,
            }
          : null,
      startDate: (v.startDate as dayjs.Dayjs).format('YYYY-MM-DD'),
      customerIds: v.customerIds ?? [],
      rule: v.targetKind === 'rule' ? ruleFromForm(v.rule as Record<string, unknown>) : null,
      budgetFen: fen(v.budgetFen),
      giftFen: fen(v.giftFen),
      giftName: v.giftName || null,
      surveyId: v.surveyId ?? null,
      savedFilterId: v.savedFilterId ?? null,
      assigneeId: v.assigneeId ?? null,
      assignUnitId: v.assignUnitId ?? null,
      nextFollowupDays: v.nextFollowupDays ?? null,
      remindByEmail: Boolean(v.remindByEmail),
    } as TCreatePlanInput;
    setSaving(true);
    try {
      const saved = p ? await updatePlan(p.id, body) : await createPlan(body);
      await qc.invalidateQueries({ queryKey: FOLLOWUP_KEY });
      void message.success(t('common.saved'));
      props.onClose(saved);
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    } finally {
      setSaving(false);
    }
  };

  const num = (name: string, label: string, schema: typeof F.dueDays, extra?: string) => (
    <Col span={8}>
      <Form.Item name={name} label={label} rules={[zodRule(schema)]} extra={extra}>
        <InputNumber style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
  return (
    <Drawer
      open={props.open}
      width={760}
      destroyOnHidden
      title={p ? `${t('followup.plan.edit')} · ${p.name}` : t('followup.plan.create')}
      onClose={() => props.onClose()}
      extra={
        <Space>
          <Button onClick={() => props.onClose()}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} data-testid="plan-save" onClick={() => void onSave()}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form
        form={form}
        name="plan"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
      >
        <Form.Item name="name" label={t('followup.plan.name')} rules={[zodRule(F.name)]}>
          <Input data-testid="plan-name" />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="topic" label={t('followup.plan.topic')} rules={[zodRule(F.topic)]}>
              <Select options={FOLLOWUP_TOPICS.map((x) => ({ value: x, label: t(`followup.topics.${x}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="methods" label={t('followup.plan.methods')} rules={[zodRule(F.methods)]}>
              <Select mode="multiple" options={methods.map((m) => ({ value: m.code, label: m.label }))} />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start">{t('followup.plan.target')}</Divider>
        <Form.Item name="targetKind" rules={[zodRule(F.targetKind)]}>
          <Radio.Group
            optionType="button"
            options={TARGET_KINDS.map((k) => ({ value: k, label: t(`followup.targetKinds.${k}`) }))}
          />
        </Form.Item>
        {targetKind === 'path' && (
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('followup.plan.pathHint')} />
        )}
        {(targetKind === 'segment' || targetKind === 'rule') && (
          <Form.Item
            name="savedFilterId"
            label={t('followup.plan.savedFilter')}
            extra={targetKind === 'rule' ? t('followup.plan.savedFilterRuleHint') : undefined}
            rules={targetKind === 'segment' ? [{ required: true, message: t('followup.plan.required') }] : []}
          >
            <Select
              allowClear
              data-testid="plan-filter"
              options={filters.map((f) => ({ value: f.id, label: f.name }))}
            />
          </Form.Item>
        )}
        {targetKind === 'list' && (
          <Form.Item
            name="customerIds"
            label={t('followup.plan.customers')}
            rules={[zodRule(F.customerIds.min(1, t('followup.plan.required')))]}
          >
            <CustomerPicker />
          </Form.Item>
        )}
        {targetKind === 'rule' && <RuleFields />}
        <Divider titlePlacement="start">{t('followup.plan.content')}</Divider>
        <ScriptField />
        <MessageFields />
        <Form.Item name="surveyId" label={t('followup.plan.questionnaire')}>
          <Select
            allowClear
            data-testid="plan-survey"
            options={surveys.map((s) => ({ value: s.id, label: s.title }))}
          />
        </Form.Item>
        <Divider titlePlacement="start">{t('followup.plan.schedule')}</Divider>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item
              name="startDate"
              label={t('followup.plan.startDate')}
              rules={[{ required: true, message: t('followup.plan.required') }]}
            >
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {num('dueDays', t('followup.plan.dueDays'), F.dueDays)}
          <Col span={8}>
            <Form.Item
              name="nextFollowupDays"
              label={t('followup.plan.nextFollowupDays')}
              rules={[zodRule(F.nextFollowupDays, { emptyAs: null })]}
            >
              <InputNumber style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="assignment" label={t('followup.plan.assignment')} rules={[zodRule(F.assignment)]}>
          <Radio.Group
            options={ASSIGNMENT_POLICIES.map((k) => ({ value: k, label: t(`followup.assignments.${k}`) }))}
          />
        </Form.Item>
        {assignment === 'round_robin' && (
          <Form.Item
            name="assignUnitId"
            label={t('followup.plan.assignUnit')}
            rules={[{ required: true, message: t('followup.plan.required') }]}
          >
            <TreeSelect treeData={tree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
        )}
        {assignment === 'fixed' && (
          <Form.Item
            name="assigneeId"
            label={t('followup.plan.assignee')}
            rules={[{ required: true, message: t('followup.plan.required') }]}
          >
            <Select
              showSearch
              optionFilterProp="label"
              options={workers.map((w) => ({ value: w.id, label: `${w.displayName} · ${w.unitName}` }))}
            />
          </Form.Item>
        )}
        <Divider titlePlacement="start">{t('followup.plan.policy')}</Divider>
        <Row gutter={12}>
          {num('maxAttempts', t('followup.plan.maxAttempts'), F.maxAttempts)}
          {num('retryHours', t('followup.plan.retryHours'), F.retryHours)}
          {num('minGapDays', t('followup.plan.minGapDays'), F.minGapDays)}
          {num('contactFromHour', t('followup.plan.contactFromHour'), F.contactFromHour)}
          {num('contactToHour', t('followup.plan.contactToHour'), F.contactToHour)}
          {num('escalateAfterDays', t('followup.plan.escalateAfterDays'), F.escalateAfterDays)}
          <Col span={8}>
            <Form.Item name="remindByEmail" label={t('followup.plan.remindByEmail')} valuePropName="checked">
              <Switch data-testid="plan-remind-email" />
            </Form.Item>
          </Col>
        </Row>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('followup.plan.policyHint')} />
        <Divider titlePlacement="start">{t('followup.plan.budget')}</Divider>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="budgetFen" label={t('followup.plan.budgetYuan')}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              name="giftName"
              label={t('followup.plan.giftName')}
              rules={[zodRule(F.giftName, { emptyAs: null })]}
            >
              <Input />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="giftFen" label={t('followup.plan.giftYuan')}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Drawer>
  );
}
