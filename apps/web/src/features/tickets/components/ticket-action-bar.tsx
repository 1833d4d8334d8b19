import { useQueryClient } from '@tanstack/react-query';
import { TICKET_ACTIONS_WITH_REASON, type TTicketAction, type TTicketDetail } from '@huifang/shared';
import { App, Button, Form, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { actOnTicket, TICKETS_KEY, useTicketAssignees } from '../api.ts';

const PRIMARY: TTicketAction[] = ['start', 'resolve'];

/**
 * The buttons of the actions the server says I may take now (`allowedActions`). Actions that need a reason (resolve:
 * the resolution text) or an assignee open a dialog; every request carries the version I saw, and a 409 reloads.
 */
export function TicketActionBar({ detail }: { detail: TTicketDetail }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<TTicketAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason?: string; assigneeId?: string }>();
  const { ticket } = detail;
  const assignees = useTicketAssignees(ticket.id, dialog === 'assign').data ?? [];

  const run = async (action: TTicketAction, extra: { reason?: string; assigneeId?: string } = {}) => {
    setBusy(true);
    try {
      const d = await actOnTicket(ticket.id, { action, version: ticket.version, ...extra });
      qc.setQueryData([...TICKETS_KEY, 'detail', ticket.id], d);
      // The new state is shown at once and the buttons answer again; lists and board refresh behind it. Awaited, the
      // buttons kept spinning (and ignored clicks) after the ticket already showed the action's event.
      void qc.invalidateQueries({ queryKey: TICKETS_KEY });
      void message.success(t('tickets.detail.done', { action: t(`tickets.actions.${action}`) }));
      setDialog(null);
      form.resetFields();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT') {
        void message.warning(t('tickets.detail.stale'));
        await qc.invalidateQueries({ queryKey: TICKETS_KEY });
        setDialog(null);
      } else void message.error(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  const click = (a: TTicketAction) => {
    if (a === 'assign' || TICKET_ACTIONS_WITH_REASON.includes(a)) setDialog(a);
    else void run(a);
  };
  const submit = async () => {
    const v = await validatedValues(form);
    if (!v || !dialog) return;
    await run(dialog, {
      ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
      ...(v.assigneeId ? { assigneeId: v.assigneeId } : {}),
    });
  };

  if (detail.allowedActions.length === 0) return null;
  return (
    <>
      <Space wrap>
        {detail.allowedActions.map((a) => (
          <Button
            key={a}
            type={PRIMARY.includes(a) ? 'primary' : 'default'}
            danger={a === 'close'}
            loading={busy && dialog === null}
            onClick={() => click(a)}
            data-testid={`ticket-action-${a}`}
          >
            {t(`tickets.actions.${a}`)}
          </Button>
        ))}
      </Space>
      <Modal
        open={dialog !== null}
        title={dialog ? t(`tickets.actions.${dialog}`) : ''}
        onCancel={() => setDialog(null)}
        onOk={() => void submit()}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'ticket-action-ok' } as never}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          {dialog === 'assign' && (
            <Form.Item
              name="assigneeId"
              label={t('tickets.detail.assignee')}
              rules={[{ required: true, message: t('tickets.detail.assigneeRequired') }]}
            >
              <Select
                showSearch
                optionFilterProp="label"
                data-testid="ticket-assignee"
                options={assignees.map((u) => ({ value: u.id, label: `${u.displayName} · ${u.unitName}` }))}
              />
            </Form.Item>
          )}
          {dialog && dialog !== 'assign' && (
            <Form.Item
              name="reason"
              label={dialog === 'resolve' ? t('tickets.detail.resolution') : t('tickets.detail.reason')}
              rules={
                dialog === 'resolve'
                  ? [{ required: true, whitespace: true, message: t('tickets.detail.reasonRequired') }]
                  : []
              }
            >
              <Input.TextArea rows={4} maxLength={2000} data-testid="ticket-reason" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
