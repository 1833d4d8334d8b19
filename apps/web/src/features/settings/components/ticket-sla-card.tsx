import {
  ESCALATION_LEVELS,
  ZTicketSlaPolicyInput,
  type TTicketPriority,
  type TTicketSlaSettingsInput,
} from '@huifang/shared';
import { Button, Card, Form, InputNumber, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { clearServerErrors } from '../../../api/error-text.ts';
import { useFormSave } from '../../../lib/use-form-save.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { saveTicketSla, TICKET_SLA_KEY, useTicketSla } from '../api.ts';

const F = ZTicketSlaPolicyInput.shape;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * 工单时限: per priority, the first-response and resolution targets and each escalation level's own target (OLA), in
 * working minutes of the business calendar, and the share of a target after which the assignee and the outlet's
 * managers are warned (and the ticket escalates, for the resolution target and the OLA).
 */
export function TicketSlaCard({ canWrite }: { canWrite: boolean }) {
  const { t } = useTranslation();
  const sla = useTicketSla().data;
  const [form] = Form.useForm<TTicketSlaSettingsInput>();
  const onSave = useFormSave(form, {
    save: saveTicketSla,
    queryKey: TICKET_SLA_KEY,
    savedText: t('settingsPage.ticketSla.saved'),
  });
  const title = t('settingsPage.ticketSla.title');
  if (!sla) return <Card size="small" title={title} style={{ marginBottom: 16 }} loading />;
  // The same rule as the server's (resolution ≥ first response), checked as the user types.
  const notBelowFirstResponse = (i: number) => ({
    validator: async (_: unknown, v: number | null) => {
      const first = form.getFieldValue(['policies', i, 'firstResponseMinutes']) as number | null;
      if (v != null && first != null && v < first) throw new Error(t('settingsPage.ticketSla.resolutionBelow'));
    },
  });
  const minutes = (i: number, field: 'firstResponseMinutes' | 'resolutionMinutes') => (
    <Form.Item
      name={['policies', i, field]}
      style={{ margin: 0 }}
      rules={[
        { required: true },
        zodRule(F[field]),
        ...(field === 'resolutionMinutes' ? [notBelowFirstResponse(i)] : []),
      ]}
      dependencies={field === 'resolutionMinutes' ? [['policies', i, 'firstResponseMinutes']] : undefined}
    >
      <InputNumber min={1} step={30} style={{ width: 110 }} data-testid={`sla-${i}-${field}`} />
    </Form.Item>
  );
  return (
    <Card size="small" title={title} style={{ marginBottom: 16 }} data-testid="ticket-sla">
      <Typography.Paragraph type="secondary">
        {t('settingsPage.ticketSla.hint', { from: hhmm(sla.workingHours.start), to: hhmm(sla.workingHours.end) })}
      </Typography.Paragraph>
      <Form
        form={form}
        name="ticketSla"
        disabled={!canWrite}
        initialValues={{ policies: sla.policies.map(({ isDefault: _d, updatedAt: _u, ...p }) => p) }}
        onValuesChange={(changed) => clearServerErrors(form, changed as Record<string, unknown>)}
      >
        <Table
          rowKey="priority"
          size="small"
          pagination={false}
          dataSource={sla.policies}
          scroll={{ x: true }}
          columns={[
            {
              title: t('settingsPage.ticketSla.priority'),
              dataIndex: 'priority',
              render: (p: TTicketPriority, _r, i) => (
                <>
                  <Form.Item name={['policies', i, 'priority']} hidden>
                    <input />
                  </Form.Item>
                  {t(`settingsPage.ticketSla.priorities.${p}`)}
                </>
              ),
            },
            {
              title: t('settingsPage.ticketSla.firstResponse'),
              render: (_v, _r, i) => minutes(i, 'firstResponseMinutes'),
            },
            {
              title: t('settingsPage.ticketSla.resolution'),
              render: (_v, _r, i) => minutes(i, 'resolutionMinutes'),
            },
            {
              title: t('settingsPage.ticketSla.warnRatio'),
              render: (_v, _r, i) => (
                <Form.Item
                  name={['policies', i, 'warnRatio']}
                  style={{ margin: 0 }}
                  rules={[{ required: true }, zodRule(F.warnRatio)]}
                >
                  <InputNumber min={0.05} max={0.95} step={0.05} style={{ width: 90 }} data-testid={`sla-${i}-warn`} />
                </Form.Item>
              ),
            },
            ...ESCALATION_LEVELS.map((level, L) => ({
              title: t('settingsPage.ticketSla.ola', { level: t(`settingsPage.ticketSla.levels.${level}`) }),
              key: level,
              render: (_v: unknown, _r: unknown, i: number) => (
                <Form.Item name={['policies', i, 'levelMinutes', L]} style={{ margin: 0 }} rules={[{ required: true }]}>
                  <InputNumber min={0} step={30} style={{ width: 100 }} />
                </Form.Item>
              ),
            })),
          ]}
        />
        {canWrite && (
          <Button type="primary" style={{ marginTop: 12 }} onClick={() => void onSave()} data-testid="ticket-sla-save">
            {t('common.save')}
          </Button>
        )}
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('settingsPage.ticketSla.units')}
      </Typography.Paragraph>
    </Card>
  );
}
