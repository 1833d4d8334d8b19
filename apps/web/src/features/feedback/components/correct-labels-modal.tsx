import { useQueryClient } from '@tanstack/react-query';
import {
  FEEDBACK_CATEGORIES,
  FEEDBACK_SENTIMENTS,
  FEEDBACK_TOPICS,
  ZFeedbackLabelInput,
  type TFeedbackItem,
  type TFeedbackLabelInput,
} from '@huifang/shared';
import { App, Form, Input, Modal, Select, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { fmtTime } from '../../../lib/format.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { correctLabels, FEEDBACK_KEY, useFeedbackItem } from '../api.ts';

type TValues = { category: string; sentiment: string; topics: string[]; reason?: string };

/** 修正标签: set the labels in force; the classifier's stay stored, and every correction is kept in the history below. */
export function CorrectLabelsModal({ item, onClose }: { item: TFeedbackItem | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<TValues>();
  const [busy, setBusy] = useState(false);
  const detail = useFeedbackItem(item?.id ?? null);
  useEffect(() => {
    if (item)
      form.setFieldsValue({ category: item.category, sentiment: item.sentiment, topics: item.topics, reason: '' });
  }, [item, form]);

  const submit = async () => {
    if (!item) return;
    const v = await validatedValues(form);
    if (!v) return;
    const input: TFeedbackLabelInput = {
      category: v.category as TFeedbackLabelInput['category'],
      sentiment: v.sentiment as TFeedbackLabelInput['sentiment'],
      topics: v.topics as TFeedbackLabelInput['topics'],
      ...(v.reason?.trim() ? { reason: v.reason.trim() } : {}),
    };
    setBusy(true);
    try {
      await correctLabels(item.id, input);
      void message.success(t('feedback.saved'));
      await qc.invalidateQueries({ queryKey: FEEDBACK_KEY });
      onClose();
    } catch (err) {
      void message.error(errorText(err, i18n.language));
    } finally {
      setBusy(false);
    }
  };

  const history = detail.data?.corrections ?? [];
  const labels = (l: { category: string; sentiment: string; topics: string[] }) =>
    [
      t(`feedback.category.${l.category}`),
      t(`feedback.sentiment.${l.sentiment}`),
      ...l.topics.map((x) => t(`feedback.topic.${x}`, { defaultValue: x })),
    ].join(' / ');

  return (
    <Modal
      open={!!item}
      title={t('feedback.correct')}
      onCancel={onClose}
      onOk={() => void submit()}
      okButtonProps={{ 'data-testid': 'feedback-correct-save' } as never}
      confirmLoading={busy}
      destroyOnHidden
    >
      {item && (
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 3 }}>
          {item.text}
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" name="feedback-labels">
        <Form.Item name="category" label={t('feedback.categoryLabel')} rules={[{ required: true }]}>
          <Select
            data-testid="feedback-correct-category"
            options={FEEDBACK_CATEGORIES.map((c) => ({ value: c, label: t(`feedback.category.${c}`) }))}
          />
        </Form.Item>
        <Form.Item name="sentiment" label={t('feedback.sentimentLabel')} rules={[{ required: true }]}>
          <Select
            data-testid="feedback-correct-sentiment"
            options={FEEDBACK_SENTIMENTS.map((s) => ({ value: s, label: t(`feedback.sentiment.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="topics" label={t('feedback.topicLabel')}>
          <Select
            mode="multiple"
            data-testid="feedback-correct-topics"
            options={FEEDBACK_TOPICS.map((x) => ({ value: x, label: t(`feedback.topic.${x}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('feedback.reason')}
          rules={[zodRule(ZFeedbackLabelInput.shape.reason, { emptyAs: undefined })]}
        >
          <Input.TextArea rows={2} maxLength={500} showCount />
        </Form.Item>
      </Form>
      <Typography.Title level={5}>{t('feedback.history')}</Typography.Title>
      {history.length === 0 ? (
        <Typography.Text type="secondary">{t('feedback.noHistory')}</Typography.Text>
      ) : (
        <Timeline
          items={history.map((c) => ({
            content: (
              <div data-testid="feedback-history-row">
                {c.actorName ?? '—'} · {fmtTime(c.at)}
                <div>
                  {labels(c.old)} → {labels(c.new)}
                </div>
                {c.reason && <Typography.Text type="secondary">{c.reason}</Typography.Text>}
              </div>
            ),
          }))}
        />
      )}
    </Modal>
  );
}
