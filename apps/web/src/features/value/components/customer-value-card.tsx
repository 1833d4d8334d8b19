import type { TScorePart } from '@huifang/shared';
import { App, Button, Card, Descriptions, Form, Input, Modal, Rate, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { useCustomerValue, useSetStars } from '../api.ts';
import { ExpertScoresButton } from './expert-scores-button.tsx';

const fmt = (v: number | null) => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(2));

/** On the customer card: the latest run's score breakdown (value, normalised score, weight), class, tier, stars. */
export function CustomerValueCard(props: { customerId: string; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data } = useCustomerValue(props.customerId);
  const setStars = useSetStars(props.customerId);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<{ stars: number; reason: string }>();
  const v = data?.current;
  const submit = (stars: number | null, reason: string) =>
    setStars.mutate(
      { stars, reason },
      {
        onSuccess: () => setEditing(false),
        onError: (e) => void message.error(errorText(e, i18n.language)),
      },
    );
  return (
    <Card
      title={t('value.card')}
      style={{ marginTop: 16 }}
      data-testid="customer-value-card"
      extra={props.canManage ? <ExpertScoresButton customerId={props.customerId} /> : null}
    >
      {!v ? (
        <Typography.Text type="secondary">{t('value.notComputed')}</Typography.Text>
      ) : (
        <>
          <Descriptions size="small" column={2}>
            <Descriptions.Item label={t('value.score')}>
              <strong data-testid="customer-value-score">{fmt(v.score)}</strong>
            </Descriptions.Item>
            <Descriptions.Item label={t('value.tier')}>{v.tierLabel ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('value.ruleClass')}>{v.ruleClassLabel ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('value.lifecycle')}>{t(`value.lifecycles.${v.lifecycle}`)}</Descriptions.Item>
            <Descriptions.Item label={t('value.stars')}>
              <Space>
                <Rate disabled value={v.stars} />
                {v.starOverride && <Tag color="gold">{t('value.manualStars', { reason: v.starOverride.reason })}</Tag>}
                {props.canManage && (
                  <Button size="small" data-testid="value-set-stars" onClick={() => setEditing(true)}>
                    {t('value.setStars')}
                  </Button>
                )}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('value.rfm')}>
              {v.rfm ? `R${v.rfm.r} F${v.rfm.f} M${v.rfm.m}` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('value.expertScore')}>{fmt(v.expertScore)}</Descriptions.Item>
          </Descriptions>
          <Table<TScorePart>
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={v.parts}
            data-testid="customer-value-parts"
            columns={[
              { title: t('value.indicator'), dataIndex: 'label' },
              { title: t('value.value'), dataIndex: 'value', render: fmt },
              { title: t('value.normScore'), dataIndex: 'score', render: fmt },
              { title: t('value.weight'), dataIndex: 'weight' },
              { title: t('value.contribution'), dataIndex: 'contribution', render: fmt },
            ]}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('value.computedAt', { at: fmtTime(v.computedAt), v: v.modelVersion })}
            {data.history.length > 1 &&
              ` · ${t('value.history')}: ${data.history
                .map((h) => `${fmtTime(h.computedAt).slice(0, 10)} ${fmt(h.score)}${h.tier ? ` ${h.tier}` : ''}`)
                .join(' / ')}`}
          </Typography.Text>
        </>
      )}
      <Modal
        open={editing}
        title={t('value.setStars')}
        onCancel={() => setEditing(false)}
        onOk={() => void form.validateFields().then((f) => submit(f.stars, f.reason))}
        confirmLoading={setStars.isPending}
        footer={(node) => (
          <>
            {v?.starOverride && (
              <Button onClick={() => void form.validateFields(['reason']).then((f) => submit(null, f.reason))}>
                {t('value.clearStars')}
              </Button>
            )}
            {node}
          </>
        )}
      >
        <Form form={form} layout="vertical" initialValues={{ stars: v?.stars ?? 0, reason: '' }}>
          <Form.Item name="stars" label={t('value.stars')}>
            <Rate />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('value.reason')}
            rules={[{ required: true, whitespace: true, min: 2, message: t('value.reasonRequired') }]}
          >
            <Input.TextArea maxLength={200} data-testid="value-stars-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
