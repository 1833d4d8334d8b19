import { App, Button, Form, InputNumber, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { useValueConfig } from '../api.ts';

/** 大客户评价: score every criterion of the current model 0–10 for one customer (counts from the next recompute). */
export function ExpertScoresButton(props: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const criteria = useValueConfig().data?.config.expert.criteria ?? [];
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<Record<string, number>>();
  const save = async () => {
    const scores = await form.validateFields();
    setSaving(true);
    try {
      await api('PUT', `/customers/${props.customerId}/value/expert-scores`, { scores });
      void message.success(t('common.saved'));
      setOpen(false);
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    } finally {
      setSaving(false);
    }
  };
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid="value-expert-scores">
        {t('value.expertScores')}
      </Button>
      <Modal
        open={open}
        title={t('value.expertScores')}
        onCancel={() => setOpen(false)}
        onOk={() => void save()}
        confirmLoading={saving}
      >
        <Form form={form} layout="horizontal" labelCol={{ span: 10 }}>
          {criteria.map((c) => (
            <Form.Item
              key={c.key}
              name={c.key}
              label={`${c.label} (${c.weight}%)`}
              rules={[{ required: true, type: 'number', min: 0, max: 10 }]}
            >
              <InputNumber min={0} max={10} step={1} />
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </>
  );
}
