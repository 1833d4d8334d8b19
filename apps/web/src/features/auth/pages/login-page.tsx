import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input } from 'antd';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { login, ME_KEY } from '../api.ts';
import { LangSwitch } from '../components/lang-switch.tsx';
import './login-page.css';

type TField = 'username' | 'password';

/** A labelled field with antd's form-item look (login-page.css): the label above, the message below in red. */
function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className={`hf-login-item${error ? ' hf-login-item-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error && (
        <div className="hf-login-explain" role="alert" id={`${id}_help`}>
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * The first page a staff member downloads, so it stays small: a native form (two required fields need no form
 * library — antd's Form with its validator is ~20 KB gz) with antd's inputs and button, and no Card or Typography.
 * Field ids (`login_username`, `login_password`) and the form id `login` are those antd's Form gave them.
 */
export function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [values, setValues] = useState<Record<TField, string>>({ username: '', password: '' });
  const [touched, setTouched] = useState<Partial<Record<TField, boolean>>>({});
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const missing = (f: TField) => (f === 'username' ? values.username.trim() === '' : values.password === '');
  const fieldError = (f: TField) => (touched[f] && missing(f) ? t('login.required', { field: t(`login.${f}`) }) : '');
  const change = (f: TField, v: string) => {
    setValues((x) => ({ ...x, [f]: v }));
    setTouched((x) => ({ ...x, [f]: true }));
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ username: true, password: true });
    if (missing('username') || missing('password')) return;
    setBusy(true);
    setError(null);
    try {
      const me = await login({ username: values.username, password: values.password });
      qc.setQueryData(ME_KEY, me);
      void navigate(me.user.mustChangePassword ? '/account/password' : from, { replace: true });
    } catch (err) {
      setError(errorText(err, i18n.language));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="hf-login">
      <div className="hf-login-card">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'start' }}>
          <div>
            <h3 className="hf-login-title">{t('login.title')}</h3>
            <span className="hf-login-subtitle">{t('login.subtitle')}</span>
          </div>
          <LangSwitch />
        </div>
        {error && <Alert style={{ marginTop: 16 }} type="error" showIcon message={error} data-testid="login-error" />}
        <form id="login" style={{ marginTop: 16 }} onSubmit={(e) => void onSubmit(e)} noValidate>
          <Field id="login_username" label={t('login.username')} error={fieldError('username')}>
            <Input
              id="login_username"
              prefix={<UserOutlined />}
              autoComplete="username"
              autoFocus
              maxLength={64}
              value={values.username}
              status={fieldError('username') ? 'error' : undefined}
              onChange={(e) => change('username', e.target.value)}
            />
          </Field>
          <Field id="login_password" label={t('login.password')} error={fieldError('password')}>
            <Input.Password
              id="login_password"
              prefix={<LockOutlined />}
              autoComplete="current-password"
              maxLength={200}
              value={values.password}
              status={fieldError('password') ? 'error' : undefined}
              onChange={(e) => change('password', e.target.value)}
            />
          </Field>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </form>
      </div>
    </div>
  );
}
