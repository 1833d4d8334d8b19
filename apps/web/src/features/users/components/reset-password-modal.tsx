import { ZResetPasswordInput, type TUser } from '@huifang/shared';
import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';

export function ResetPasswordModal(props: { user: TUser | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const onOk = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      await post(`/users/${props.user!.id}/reset-password`, v);
      void message.success(t('user.resetDone'));
      props.onClose();
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    }
  };
  return (
    <Modal
      open={!!props.user}
      title={`${t('user.resetPassword')} · ${props.user?.displayName ?? ''}`}
      onOk={() => void onOk()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="reset">
        <Form.Item
          name="password"
          label={t('user.newPassword')}
          extra={t('password.hint')}
          rules={[zodRule(ZResetPasswordInput.shape.password)]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
