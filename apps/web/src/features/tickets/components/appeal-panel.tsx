import { useQueryClient } from '@tanstack/react-query';
import {
  TICKET_FAULT_DECISIONS,
  ZTicketAppealInput,
  ZTicketFaultDecisionInput,
  type TTicketAppealInput,
  type TTicketFaultDecisionInput,
} from '@huifang/shared';
import { App, Button, Card, Descriptions, Form, Input, Radio, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { applyServerErrors, errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { decideTicketFault, fileTicketAppeal, ticketAppealKey, useTicketAppeal } from '../close-loop/close-loop-api.ts';

/**
 * 处理结果异议申诉 of one ticket: the staff member complained about files an appeal (once); the supervision team
 * 服务监督团队 records whether the staff member was at fault (also without an appeal). Only "at fault" counts in reports.
 */
export function TicketAppealPanel({ ticketId }: { ticketId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: s, isLoading } = useTicketAppeal(ticketId);
  const [appealForm] = Form.useForm<TTicketAppealInput>();
  const [decisionForm] = Form.useForm<TTicketFaultDecisionInput>();
  const submit = async <T extends object>(
    form: ReturnType<typeof Form.useForm<T>>[0],
    send: (v: T) => Promise<unknown>,
    done: string,
  ) => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      await send(v);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ticketAppealKey(ticketId) });
      void message.success(done);
    } catch (err) {
      applyServerErrors(form, err, i18n.language);
      void message.error(errorText(err, i18n.language));
    }
  };
  const decisionTag = (d: string | null) =>
    d ? (
      <Tag color={d === 'at_fault' ? 'red' : 'green'} data-testid="fault-decision">
        {t(`closeLoop.fault.${d}`)}
      </Tag>
    ) : (
      <Tag>{t('closeLoop.fault.none')}</Tag>
    );
  return (
    <Card size="small" title={t('closeLoop.appeal.title')} loading={isLoading} data-testid="ticket-appeal">
      {s && (
        <>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('closeLoop.appeal.faultDecision')}>
              {decisionTag(s.faultDecision)}
            </Descriptions.Item>
            {s.appeal && (
              <Descriptions.Item label={t('closeLoop.appeal.filed')}>
                {s.appeal.filedByName ?? '—'} · {fmtTime(s.appeal.filedAt)}
                {s.isPending && (
                  <Tag color="orange" style={{ marginLeft: 8 }}>
                    {t('closeLoop.appeal.pending')}
                  </Tag>
                )}
                <Typography.Paragraph style={{ margin: 0 }}>{s.appeal.reason}</Typography.Paragraph>
              </Descriptions.Item>
            )}
            {s.decision && (
              <Descriptions.Item label={t('closeLoop.appeal.decided')}>
                {s.decision.decidedByName ?? '—'} · {fmtTime(s.decision.decidedAt)}
                <Typography.Paragraph style={{ margin: 0 }}>{s.decision.note}</Typography.Paragraph>
              </Descriptions.Item>
            )}
          </Descriptions>
          {s.canAppeal && (
            <Form form={appealForm} layout="vertical" name="ticketAppeal">
              <Form.Item
                name="reason"
                label={t('closeLoop.appeal.reason')}
                rules={[{ required: true }, zodRule(ZTicketAppealInput.shape.reason)]}
              >
                <Input.TextArea rows={3} maxLength={2000} data-testid="appeal-reason" />
              </Form.Item>
              <Button
                onClick={() =>
                  void submit(appealForm, (v) => fileTicketAppeal(ticketId, v), t('closeLoop.appeal.filedOk'))
                }
                data-testid="appeal-submit"
              >
                {t('closeLoop.appeal.submit')}
              </Button>
            </Form>
          )}
          {s.canDecide && (
            <Form form={decisionForm} layout="vertical" name="ticketFaultDecision" style={{ marginTop: 12 }}>
              <Form.Item name="decision" label={t('closeLoop.appeal.decision')} rules={[{ required: true }]}>
                <Radio.Group
                  options={TICKET_FAULT_DECISIONS.map((d) => ({ value: d, label: t(`closeLoop.fault.${d}`) }))}
                />
              </Form.Item>
              <Form.Item
                name="note"
                label={t('closeLoop.appeal.note')}
                rules={[{ required: true }, zodRule(ZTicketFaultDecisionInput.shape.note)]}
              >
                <Input.TextArea rows={2} maxLength={2000} data-testid="decision-note" />
              </Form.Item>
              <Button
                type="primary"
                onClick={() =>
                  void submit(decisionForm, (v) => decideTicketFault(ticketId, v), t('closeLoop.appeal.decidedOk'))
                }
                data-testid="decision-submit"
              >
                {t(s.isPending ? 'closeLoop.appeal.decideAppeal' : 'closeLoop.appeal.decideWithout')}
              </Button>
            </Form>
          )}
        </>
      )}
    </Card>
  );
}
