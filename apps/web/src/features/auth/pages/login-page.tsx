import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import type { TLoginInput } from '@huifang/shared';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { login, ME_KEY } from '../api.ts';
import { LangSwitch } from '../components/lang-switch.tsx';

export function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const onFinish = async (values: TLoginInput) => {
    setBusy(true);
    setError(null);
    try {
      const me = await login(values);
      qc.setQueryData(ME_KEY, me);
      void navigate(me.user.mustChangePassword ? '/account/password' : from, { replace: true });
    } catch (e) {
      setError(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'grid',
        placeItems: 'center',
        background: 'linear-gradient(135deg,#e8f1fd,#f7f9fc)',
      }}
    >
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'start' }}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('login.title')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
          <LangSwitch />
        </div>
        {error && <Alert style={{ marginTop: 16 }} type="error" showIcon message={error} data-testid="login-error" />}
        {/* Plain rules, not the shared Zod schema: the login page is the first download (zod alone is ~25 KB gz). */}
        <Form name="login" layout="vertical" style={{ marginTop: 16 }} onFinish={onFinish} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[
              {
                required: true,
                whitespace: true,
                max: 64,
                message: t('login.required', { field: t('login.username') }),
              },
            ]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, max: 200, message: t('login.required', { field: t('login.password') }) }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
