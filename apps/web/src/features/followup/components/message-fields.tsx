import { ALIYUN_PARAM_NAMES, SCRIPT_PLACEHOLDERS, ZPlanMessage } from '@huifang/shared';
import { Alert, Card, Col, Form, Input, Radio, Row, Space, Switch, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { zodRule } from '../../../lib/zod-rule.ts';
import { renderSample } from './script-field.tsx';

const M = ZPlanMessage.shape;
/** SMS length as the carriers count it: 70 characters in one message, 67 per part of a long one. */
const smsParts = (n: number) => (n <= 70 ? 1 : Math.ceil(n / 67));

/**
 * 自动发送: when the plan's methods include SMS or e-mail, the plan may be sent by the system instead of agents —
 * a message template with the script placeholders (plus the provider template code for SMS, a subject for e-mail)
 * and a live preview rendered for a sample customer. Form fields: autoMessage (switch) and message.{channel, …}.
 */
export function MessageFields() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const methods = (Form.useWatch('methods', form) as string[] | undefined) ?? [];
  const enabled = Form.useWatch('autoMessage', form) as boolean | undefined;
  const channel = Form.useWatch(['message', 'channel'], form) as 'sms' | 'email' | undefined;
  const template = (Form.useWatch(['message', 'template'], form) as string | undefined) ?? '';
  const subject = (Form.useWatch(['message', 'subject'], form) as string | undefined) ?? '';
  const channels = (['sms', 'email'] as const).filter((c) => methods.includes(c));
  useEffect(() => {
    // Keep the channel among the chosen methods, and give a new message a starting text.
    if (!enabled) return;
    // SMS and e-mail both removed from the methods: the plan is worked by agents again.
    if (channels.length === 0) {
      form.setFieldValue('autoMessage', false);
      return;
    }
    if (!channel || !channels.includes(channel)) {
      const next = channels[0];
      if (next) form.setFieldValue(['message', 'channel'], next);
    }
    if (!form.getFieldValue(['message', 'template']))
      form.setFieldValue(
        ['message', 'template'],
        t(channel === 'email' ? 'followup.automsg.defaultEmail' : 'followup.automsg.defaultSms'),
      );
    if (channel === 'email' && !form.getFieldValue(['message', 'subject']))
      form.setFieldValue(['message', 'subject'], t('followup.automsg.defaultSubject'));
  }, [enabled, channel, channels, form, t]);
  const insert = (p: string) =>
    form.setFieldValue(['message', 'template'], `${form.getFieldValue(['message', 'template']) ?? ''}{${p}}`);
  const preview = renderSample(template);
  // The provider template must declare the same variables: Aliyun by ASCII name, Tencent by position.
  const used = [...new Set([...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? ''))].filter(
    (n) => n in ALIYUN_PARAM_NAMES,
  );
  const providerVars = used.length
    ? t('followup.automsg.providerVars', {
        aliyun: used.map((n) => `\${${ALIYUN_PARAM_NAMES[n]}}`).join(' '),
        tencent: used.map((_, i) => `{${i + 1}}`).join(' '),
      })
    : null;
  return (
    <>
      <Form.Item
        name="autoMessage"
        label={t('followup.automsg.title')}
        valuePropName="checked"
        extra={channels.length === 0 ? t('followup.automsg.needMethod') : undefined}
      >
        <Switch disabled={channels.length === 0} data-testid="plan-auto-message" />
      </Form.Item>
      {enabled && channels.length > 0 && (
        <>
          <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('followup.automsg.enabled')} />
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item
                name={['message', 'channel']}
                label={t('followup.automsg.channel')}
                rules={[zodRule(M.channel)]}
              >
                <Radio.Group
                  optionType="button"
                  options={channels.map((c) => ({ value: c, label: t(`outbox.channels.${c}`) }))}
                  data-testid="plan-message-channel"
                />
              </Form.Item>
            </Col>
            <Col span={16}>
              {channel === 'email' ? (
                <Form.Item
                  name={['message', 'subject']}
                  label={t('followup.automsg.subject')}
                  rules={[zodRule(M.subject.unwrap().unwrap())]}
                >
                  <Input data-testid="plan-message-subject" />
                </Form.Item>
              ) : (
                <Form.Item
                  name={['message', 'templateCode']}
                  label={t('followup.automsg.templateCode')}
                  extra={
                    <>
                      {t('followup.automsg.templateCodeHint')}
                      {providerVars && <div data-testid="plan-message-vars">{providerVars}</div>}
                    </>
                  }
                  rules={[zodRule(M.templateCode, { emptyAs: null })]}
                >
                  <Input placeholder="SMS_123456789" data-testid="plan-message-code" />
                </Form.Item>
              )}
            </Col>
          </Row>
          <Form.Item
            name={['message', 'template']}
            label={t('followup.automsg.template')}
            rules={[zodRule(M.template)]}
            extra={
              <Space wrap size={4} style={{ marginTop: 4 }}>
                {t('followup.plan.placeholders')}
                {SCRIPT_PLACEHOLDERS.map((p) => (
                  <Tag key={p} color="blue" style={{ cursor: 'pointer' }} onClick={() => insert(p)}>{`{${p}}`}</Tag>
                ))}
              </Space>
            }
          >
            <Input.TextArea rows={3} data-testid="plan-message-template" />
          </Form.Item>
          <Card
            size="small"
            title={t('followup.automsg.preview')}
            style={{ marginBottom: 16 }}
            data-testid="plan-message-preview"
            extra={
              channel === 'sms' ? (
                <Typography.Text type="secondary">
                  {t('followup.automsg.smsLength', { n: preview.length, parts: smsParts(preview.length) })}
                </Typography.Text>
              ) : undefined
            }
          >
            {channel === 'email' && (
              <Typography.Text strong style={{ display: 'block' }}>
                {renderSample(subject) || '—'}
              </Typography.Text>
            )}
            <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
              {preview || '—'}
            </Typography.Paragraph>
          </Card>
        </>
      )}
    </>
  );
}
