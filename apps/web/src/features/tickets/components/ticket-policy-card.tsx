import { TICKET_PRIORITIES, ZTicketPolicyInput, type TTicketPolicyInput } from '@huifang/shared';
import { Button, Card, Form, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useFormSave } from '../../../lib/use-form-save.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { saveTicketPolicy, TICKET_POLICY_KEY, useTicketPolicy } from '../api.ts';

const F = ZTicketPolicyInput.shape;
const THRESHOLDS = [0, 1, 2, 3, 4] as const;

/** 工单策略 on 系统设置: the score at or below which an evaluation opens a ticket, and that ticket's priority. */
export function TicketPolicyCard({ canWrite }: { canWrite: boolean }) {
  const { t } = useTranslation();
  const policy = useTicketPolicy().data;
  const [form] = Form.useForm<TTicketPolicyInput>();
  const onSave = useFormSave(form, {
    save: saveTicketPolicy,
    queryKey: TICKET_POLICY_KEY,
    savedText: t('tickets.policy.saved'),
  });
  const title = t('tickets.policy.title');
  if (!policy) return <Card size="small" title={title} style={{ marginBottom: 16 }} loading />;
  return (
    <Card size="small" title={title} style={{ marginBottom: 16 }} data-testid="ticket-policy">
      <Typography.Paragraph type="secondary">{t('tickets.policy.hint')}</Typography.Paragraph>
      <Form
        form={form}
        name="ticketPolicy"
        initialValues={{ autoMaxScore: policy.autoMaxScore, autoPriority: policy.autoPriority }}
        layout="inline"
        disabled={!canWrite}
      >
        <Form.Item
          name="autoMaxScore"
          label={t('tickets.policy.autoMaxScore')}
          rules={[{ required: true }, zodRule(F.autoMaxScore)]}
        >
          <Select
            style={{ width: 140 }}
            options={THRESHOLDS.map((n) => ({
              value: n,
              label: n === 0 ? t('tickets.policy.optionNone') : t('tickets.policy.option', { n }),
            }))}
          />
        </Form.Item>
        <Form.Item name="autoPriority" label={t('tickets.policy.autoPriority')} rules={[{ required: true }]}>
          <Select
            style={{ width: 110 }}
            options={TICKET_PRIORITIES.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
          />
        </Form.Item>
        {canWrite && (
          <Form.Item>
            <Button type="primary" onClick={() => void onSave()} data-testid="ticket-policy-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        )}
      </Form>
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
        {policy.updatedAt
          ? t('tickets.policy.updatedAt', { at: fmtTime(policy.updatedAt) })
          : t('tickets.policy.defaults')}
      </Typography.Text>
    </Card>
  );
}
