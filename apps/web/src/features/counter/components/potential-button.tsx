import { ZPotentialCustomerInput, type TServiceSession } from '@huifang/shared';
import { App, Button, Form, Input, Modal, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { applyServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { useSessionActions } from '../api.ts';

const S = ZPotentialCustomerInput.shape.customer.unwrap().shape;

/**
 * 潜力客户: one click during or after a service flags its customer (the outlet head gets an SMS, the customer's owner a
 * follow-up task). A service without a customer asks for the name and phone first. Flagged once per service.
 */
export function PotentialButton({ session, size }: { session: TServiceSession; size?: 'small' | 'middle' | 'large' }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { flagPotential } = useSessionActions();
  const [asking, setAsking] = useState(false);
  const [form] = Form.useForm<{ name: string; phone: string }>();
  if (session.isPotentialCustomer)
    return (
      <Tag color="gold" data-testid={`potential-flagged-${session.id}`}>
        {t('counter.potential.flagged')}
      </Tag>
    );
  const flag = async (customer?: { name: string; phone: string }) => {
    try {
      const r = await flagPotential.mutateAsync({ id: session.id, ...(customer ? { customer } : {}) });
      // What happened, in parts: an outlet head without a mobile gets no SMS; a do-not-contact customer no task.
      const parts = [
        t('counter.potential.done', { name: r.customerName }),
        ...(r.smsQueued > 0 ? [t('counter.potential.sms')] : []),
        ...(r.taskCreated ? [t('counter.potential.task')] : []),
      ];
      void message.success(parts.join(t('counter.potential.separator')));
      setAsking(false);
    } catch (e) {
      if (!customer || !applyServerErrors(form, e, i18n.language, (n) => (Array.isArray(n) ? n.slice(-1) : n)))
        void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <>
      <Button
        size={size}
        data-testid={`potential-${session.id}`}
        loading={flagPotential.isPending && !asking}
        onClick={() => (session.customerId ? void flag() : setAsking(true))}
      >
        {t('counter.potential.button')}
      </Button>
      <Modal
        open={asking}
        title={t('counter.potential.formTitle')}
        okText={t('counter.potential.button')}
        confirmLoading={flagPotential.isPending}
        onCancel={() => setAsking(false)}
        onOk={async () => {
          const v = await validatedValues(form);
          if (v) await flag({ name: v.name, phone: v.phone });
        }}
        okButtonProps={{ 'data-testid': 'potential-submit' } as never}
        destroyOnHidden
      >
        <p>{t('counter.potential.formHint')}</p>
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="name" label={t('counter.potential.name')} rules={[zodRule(S.name)]}>
            <Input data-testid="potential-name" maxLength={100} />
          </Form.Item>
          <Form.Item name="phone" label={t('counter.potential.phone')} rules={[zodRule(S.phone)]}>
            <Input data-testid="potential-phone" maxLength={20} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
