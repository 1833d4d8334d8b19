import { SMS_PROVIDERS, type TSmsSettings, type TSmsSettingsInput } from '@huifang/shared';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { rotateReceiptToken, saveSmsSettings, useSmsSettings } from '../api.ts';

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
    if (s)
      form.setFieldsValue({
        provider: s.provider,
        accessKeyId: s.accessKeyId,
        signName: s.signName,
        sdkAppId: s.sdkAppId,
        region: s.region,
        optOutText: s.optOutText,
        accessKeySecret: undefined,
      });
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
  const [urls, setUrls] = useState<{ aliyunUrl: string; tencentUrl: string } | null>(null);
  const { modal } = App.useApp();
  const rotate = () =>
    modal.confirm({
      title: t('outbox.sms.receiptsRotate'),
      content: s?.receiptTokenSet ? t('outbox.sms.receiptsRotateConfirm') : undefined,
      onOk: async () => {
        try {
          setUrls(await rotateReceiptToken());
          await qc.invalidateQueries({ queryKey: ['sms-settings'] });
        } catch (err) {
          void message.error(errorText(err, i18n.language));
        }
      },
    });
  return (
    <Card title={t('outbox.sms.title')} size="small" style={{ marginBottom: 16 }} data-testid="sms-settings">
      <Form form={form} layout="inline" onFinish={onFinish} disabled={!canWrite} style={{ rowGap: 8 }}>
        <Form.Item name="provider" label={t('outbox.sms.provider')}>
          <Select
            style={{ width: 160 }}
            options={SMS_PROVIDERS.map((p) => ({ value: p, label: t(`outbox.sms.providers.${p}`) }))}
          />
        </Form.Item>
        {needsCreds && (
          <>
            <Form.Item
              name="accessKeyId"
              label={provider === 'tencent' ? 'SecretId' : 'AccessKey ID'}
              rules={[{ required: true }]}
            >
              <Input style={{ width: 200 }} autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="accessKeySecret"
              label={provider === 'tencent' ? 'SecretKey' : 'AccessKey Secret'}
              rules={[{ required: !s?.accessKeySecretSet }]}
            >
              <Input.Password
                style={{ width: 200 }}
                autoComplete="new-password"
                placeholder={s?.accessKeySecretSet ? t('outbox.sms.secretSet') : ''}
              />
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
      <Space style={{ marginTop: 8 }} data-testid="sms-receipts">
        {t('outbox.sms.receipts')}
        <Tag color={s?.receiptTokenSet ? 'green' : 'default'}>
          {t(s?.receiptTokenSet ? 'outbox.sms.receiptsSet' : 'outbox.sms.receiptsNotSet')}
        </Tag>
        {canWrite && (
          <Button size="small" onClick={rotate} data-testid="sms-receipts-rotate">
            {t('outbox.sms.receiptsRotate')}
          </Button>
        )}
      </Space>
      <Modal
        open={Boolean(urls)}
        title={t('outbox.sms.receiptsTitle')}
        onCancel={() => setUrls(null)}
        onOk={() => setUrls(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        width={720}
      >
        <Typography.Paragraph>{t('outbox.sms.receiptsHint')}</Typography.Paragraph>
        <Typography.Paragraph>
          {t('outbox.sms.aliyunUrl')}
          <Typography.Text code copyable style={{ display: 'block' }} data-testid="receipt-url-aliyun">
            {urls?.aliyunUrl}
          </Typography.Text>
        </Typography.Paragraph>
        <Typography.Paragraph>
          {t('outbox.sms.tencentUrl')}
          <Typography.Text code copyable style={{ display: 'block' }} data-testid="receipt-url-tencent">
            {urls?.tencentUrl}
          </Typography.Text>
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}
