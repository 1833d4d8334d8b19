import { ZEvaluationPolicyInput, type TEvaluationPolicyInput } from '@huifang/shared';
import { Button, Card, Form, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useFormSave } from '../../../lib/use-form-save.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { EVALUATION_POLICY_KEY, saveEvaluationPolicy, useEvaluationPolicy } from '../api.ts';

const F = ZEvaluationPolicyInput.shape;
const THRESHOLDS = [1, 2, 3, 4] as const;

/** 评价提醒: the tenant's 不满意提醒阈值 — an overall score at most it alerts the outlet's managers (every channel). */
export function EvaluationPolicyCard({ canWrite }: { canWrite: boolean }) {
  const { t } = useTranslation();
  const policy = useEvaluationPolicy().data;
  const [form] = Form.useForm<TEvaluationPolicyInput>();
  const onSave = useFormSave(form, {
    save: saveEvaluationPolicy,
    queryKey: EVALUATION_POLICY_KEY,
    savedText: t('settingsPage.evaluationPolicy.saved'),
  });
  const title = t('settingsPage.evaluationPolicy.title');
  // Mounted once loaded, so the first render shows the tenant's value (see ContactPolicyCard).
  if (!policy) return <Card size="small" title={title} style={{ marginBottom: 16 }} loading />;
  return (
    <Card size="small" title={title} style={{ marginBottom: 16 }} data-testid="evaluation-policy">
      <Typography.Paragraph type="secondary">{t('settingsPage.evaluationPolicy.hint')}</Typography.Paragraph>
      <Form
        form={form}
        name="evaluationPolicy"
        initialValues={{ negativeScoreMax: policy.negativeScoreMax }}
        layout="inline"
        disabled={!canWrite}
      >
        <Form.Item
          name="negativeScoreMax"
          label={t('settingsPage.evaluationPolicy.negativeScoreMax')}
          rules={[{ required: true }, zodRule(F.negativeScoreMax)]}
        >
          <Select
            style={{ width: 140 }}
            options={THRESHOLDS.map((n) => ({ value: n, label: t('settingsPage.evaluationPolicy.option', { n }) }))}
          />
        </Form.Item>
        {canWrite && (
          <Form.Item>
            <Button type="primary" onClick={() => void onSave()} data-testid="evaluation-policy-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        )}
      </Form>
      <Space style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">
          {policy.updatedAt
            ? t('settingsPage.evaluationPolicy.updatedAt', { at: fmtTime(policy.updatedAt) })
            : t('settingsPage.evaluationPolicy.defaults')}
        </Typography.Text>
      </Space>
    </Card>
  );
}
