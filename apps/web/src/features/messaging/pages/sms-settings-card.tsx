import { SMS_PROVIDERS, type TSmsSettings, type TSmsSettingsInput } from '@huifang/shared';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { saveSmsSettings, useSmsSettings } from '../api.ts';

type TForm = Omit<TSmsSettingsInput, 'accessKeySecret'> & { accessKeySecret?: string };

/** 短信设置: provider and credentials of the tenant. The stored secret is never shown — only "set". */
export function SmsSettingsCard({ canWrite }: { canWrite: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const settings = useSmsSettings(true);
  const [form] = Form.useForm<TForm>();
  const provider = Form.useWatch('provider', form);
  const s: TSmsSettings | undefined = settings.data;
  useEffect(() => {
    if (s) form.setFieldsValue({ provider: s.provider, accessKeyId: s.accessKeyId, signName: s.signName, sdkAppId: s.sdkAppId, region: s.region, optOutText: s.optOutText, accessKeySecret: undefined });
  }, [s, form]);
  const onFinish = async (v: TForm) => {
    try {
      const body = { ...v, accessKeySecret: v.accessKeySecret ? v.accessKeySecret : undefined };
      await saveSmsSettings(body);
      await qc.invalidateQueries({ queryKey: ['sms-settings'] });
      void message.success(t('outbox.sms.saved'));
    } catch (err) {
      void message.error(errorText(err, i18n.language));
    }
  };
  const needsCreds = provider === 'aliyun' || provider === 'tencent';
  return (
    <Card title={t('outbox.sms.title')} size="small" style={{ marginBottom: 16 }} data-testid="sms-settings">
      <Form form={form} layout="inline" onFinish={onFinish} disabled={!canWrite} style={{ rowGap: 8 }}>
        <Form.Item name="provider" label={t('outbox.sms.provider')}>
          <Select style={{ width: 160 }} options={SMS_PROVIDERS.map((p) => ({ value: p, label: t(`outbox.sms.providers.${p}`) }))} />
        </Form.Item>
        {needsCreds && (
          <>
            <Form.Item name="accessKeyId" label={provider === 'tencent' ? 'SecretId' : 'AccessKey ID'} rules={[{ required: true }]}>
              <Input style={{ width: 200 }} autoComplete="off" />
            </Form.Item>
            <Form.Item name="accessKeySecret" label={provider === 'tencent' ? 'SecretKey' : 'AccessKey Secret'} rules={[{ required: !s?.accessKeySecretSet }]}>
              <Input.Password style={{ width: 200 }} autoComplete="new-password" placeholder={s?.accessKeySecretSet ? t('outbox.sms.secretSet') : ''} />
            </Form.Item>
            <Form.Item name="signName" label={t('outbox.sms.signName')} rules={[{ required: true }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            {provider === 'tencent' && (
              <Form.Item name="sdkAppId" label="SmsSdkAppId" rules={[{ required: true }]}>
                <Input style={{ width: 140 }} />
              </Form.Item>
            )}
            <Form.Item name="region" label={t('outbox.sms.region')}>
              <Input style={{ width: 140 }} placeholder={provider === 'tencent' ? 'ap-guangzhou' : 'cn-hangzhou'} />
            </Form.Item>
          </>
        )}
        <Form.Item name="optOutText" label={t('outbox.sms.optOutText')} rules={[{ required: true }]}>
          <Input style={{ width: 140 }} />
        </Form.Item>
        {canWrite && (
          <Form.Item>
            <Button type="primary" htmlType="submit">
              {t('outbox.sms.save')}
            </Button>
          </Form.Item>
        )}
      </Form>
    </Card>
  );
}
