import { useQueryClient } from '@tanstack/react-query';
import { ZChangePasswordInput } from '@huifang/shared';
import { Alert, App, Button, Card, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { changePassword, ME_KEY, useMe } from '../api.ts';

interface TValues {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function PasswordPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TValues>();
  const qc = useQueryClient();
  const me = useMe().data;
  const navigate = useNavigate();

  const onFinish = async (v: TValues) => {
    try {
      const next = await changePassword({ currentPassword: v.currentPassword, newPassword: v.newPassword });
      qc.setQueryData(ME_KEY, next);
      form.resetFields();
      void message.success(t('password.done'));
      // A forced change (first login, reset by an admin) was in the way of the app: go on to it.
      if (me?.user.mustChangePassword) void navigate('/', { replace: true });
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Card title={t('password.title')} style={{ maxWidth: 480 }}>
      {me?.user.mustChangePassword && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t('password.mustChange')} />
      )}
      <Form
        form={form}
        name="password"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
        onFinish={onFinish}
      >
        <Form.Item
          name="currentPassword"
          label={t('password.current')}
          rules={[zodRule(ZChangePasswordInput.shape.currentPassword)]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('password.new')}
          extra={t('password.hint')}
          rules={[zodRule(ZChangePasswordInput.shape.newPassword)]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            ({ getFieldValue }) => ({
              validator: async (_r, v) => {
                if (v !== getFieldValue('newPassword')) throw new Error(t('password.mismatch'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
