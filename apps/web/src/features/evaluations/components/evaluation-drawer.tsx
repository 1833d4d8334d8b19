import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ZCorrectionInput, type TEvaluationDetail } from '@huifang/shared';
import { App, Button, Descriptions, Drawer, Form, Input, Modal, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { fmtTime } from '../../../lib/format.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { can, useMe } from '../../auth/api.ts';
import { EVALUATIONS_KEY } from '../api.ts';
import { ScoreTag, StateTags } from './evaluation-tags.tsx';

type TAction = { path: 'appeal' | 'reject-appeal' | 'exclude' | 'restore'; label: string };

/** One evaluation with its appeal/exclusion history; the rated staff member may appeal, a manager decides. */
export function EvaluationDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const [action, setAction] = useState<TAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const detail = useQuery({
    queryKey: [...EVALUATIONS_KEY, 'detail', id],
    enabled: !!id,
    queryFn: () => get<TEvaluationDetail>(`/evaluations/${id}`),
  });
  const e = detail.data;

  const actions: TAction[] = [];
  if (e) {
    if (can(me, 'evaluation:appeal') && e.staffId === me?.user.id && e.appealState !== 'open' && !e.isExcluded)
      actions.push({ path: 'appeal', label: t('evaluation.appeal') });
    if (can(me, 'evaluation:manage')) {
      if (e.appealState === 'open') actions.push({ path: 'reject-appeal', label: t('evaluation.rejectAppeal') });
      actions.push(
        e.isExcluded
          ? { path: 'restore', label: t('evaluation.restore') }
          : { path: 'exclude', label: t('evaluation.exclude') },
      );
    }
  }

  const submit = async () => {
    if (!action || !e) return;
    const v = await validatedValues(form);
    if (!v) return;
    const { reason } = v as { reason: string };
    setBusy(true);
    try {
      await post(`/evaluations/${e.id}/${action.path}`, { reason });
      void message.success(t('evaluation.done'));
      setAction(null);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: EVALUATIONS_KEY });
    } catch (err) {
      void message.error(errorText(err, i18n.language));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open={!!id}
      width={640}
      title={t('evaluation.detail')}
      onClose={onClose}
      loading={detail.isLoading}
      extra={
        <Space>
          {actions.map((a) => (
            <Button
              key={a.path}
              danger={a.path === 'exclude'}
              data-testid={`evaluation-${a.path}`}
              onClick={() => setAction(a)}
            >
              {a.label}
            </Button>
          ))}
        </Space>
      }
    >
      {e && (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('evaluation.occurredAt')}>{fmtTime(e.occurredAt)}</Descriptions.Item>
            <Descriptions.Item label={t('evaluation.channel')}>
              {t(`evaluation.channels.${e.channel}`)}
            </Descriptions.Item>
            <Descriptions.Item label={t('evaluation.score')}>
              <ScoreTag e={e} />
            </Descriptions.Item>
            <Descriptions.Item label={t('evaluation.state')}>
              <StateTags e={e} />
            </Descriptions.Item>
            <Descriptions.Item label={t('evaluation.unit')}>{e.unitName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('evaluation.counter')}>{e.counterName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('evaluation.staff')}>{e.staffName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('evaluation.customer')}>{e.customerName ?? '—'}</Descriptions.Item>
            {Object.keys(e.dimensions).length > 0 && (
              <Descriptions.Item label={t('evaluation.dimensions')} span={2}>
                <Space wrap>
                  {Object.entries(e.dimensions).map(([k, v]) => (
                    <Tag key={k}>
                      {k}: {v}
                    </Tag>
                  ))}
                </Space>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('evaluation.text')} span={2}>
              {e.text ?? '—'}
            </Descriptions.Item>
            {e.flags.length > 0 && (
              <Descriptions.Item label={t('evaluation.flags')} span={2}>
                <Space wrap>
                  {e.flags.map((f) => (
                    <Tag key={f} color="volcano">
                      {t(`evaluation.flag.${f}`, { defaultValue: f })}
                    </Tag>
                  ))}
                </Space>
              </Descriptions.Item>
            )}
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('evaluation.corrections')}
          </Typography.Title>
          {e.corrections.length === 0 ? (
            <Typography.Text type="secondary">—</Typography.Text>
          ) : (
            <Timeline
              items={e.corrections.map((c) => ({
                color: c.kind === 'exclude' ? 'red' : c.kind === 'appeal' ? 'orange' : 'green',
                content: (
                  <div data-testid="evaluation-correction">
                    <Typography.Text strong>{t(`evaluation.correction.${c.kind}`)}</Typography.Text> ·{' '}
                    {c.actorName ?? '—'} · {fmtTime(c.at)}
                    <div>{c.reason}</div>
                  </div>
                ),
              }))}
            />
          )}
        </>
      )}
      <Modal
        open={!!action}
        title={action?.label}
        onCancel={() => setAction(null)}
        onOk={() => void submit()}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" name="correction">
          <Form.Item
            name="reason"
            label={t('evaluation.reason')}
            rules={[zodRule(ZCorrectionInput.shape.reason, { emptyAs: '' })]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Drawer>
  );
}
