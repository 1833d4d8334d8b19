import { useQueryClient } from '@tanstack/react-query';
import { ZCreateUserInput, type TUser } from '@huifang/shared';
import { App, Avatar, Button, Drawer, Form, Input, Select, Space, Switch, TreeSelect, Upload } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../../../api/client.ts';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { readAsDataUrl, USERS_KEY, useRoles } from '../api.ts';

const S = ZCreateUserInput.shape;

interface TValues {
  username?: string;
  password?: string;
  displayName: string;
  unitId: string;
  roleIds: string[];
  staffNo?: string;
  title?: string;
  businessHandled?: string[];
  phone?: string;
  email?: string;
  isActive?: boolean;
}

/** Create (`user` undefined) or edit a user. */
export function UserDrawer(props: { open: boolean; user?: TUser; defaultUnitId?: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<TValues>();
  const [photo, setPhoto] = useState<string | null | undefined>(undefined);
  const units = useUnits().data ?? [];
  const roles = useRoles().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const editing = props.user;

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    setPhoto(undefined);
    if (editing)
      form.setFieldsValue({
        displayName: editing.displayName,
        unitId: editing.unitId,
        roleIds: editing.roles.map((r) => r.id),
        staffNo: editing.staffNo ?? undefined,
        title: editing.title ?? undefined,
        businessHandled: editing.businessHandled,
        phone: editing.phone ?? undefined,
        email: editing.email ?? undefined,
        isActive: editing.isActive,
      });
    else form.setFieldsValue({ unitId: props.defaultUnitId, roleIds: [] });
  }, [props.open, editing, props.defaultUnitId, form]);

  const onSave = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    const body = {
      ...v,
      staffNo: v.staffNo || null,
      title: v.title || null,
      phone: v.phone || null,
      email: v.email || null,
      ...(photo !== undefined ? { photo } : {}),
    };
    try {
      if (editing) await patch(`/users/${editing.id}`, { ...body, username: undefined, password: undefined });
      else await post('/users', body);
      await qc.invalidateQueries({ queryKey: USERS_KEY });
      void message.success(t('common.saved'));
      props.onClose();
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    }
  };

  const currentPhoto = photo !== undefined ? photo : editing?.hasPhoto ? `/api/users/${editing.id}/photo` : null;
  return (
    <Drawer
      open={props.open}
      width={520}
      title={editing ? `${t('user.edit')} · ${editing.username}` : t('user.create')}
      onClose={props.onClose}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" onClick={() => void onSave()} data-testid="user-save">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form
        form={form}
        name="user"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
      >
        {!editing && (
          <>
            <Form.Item name="username" label={t('user.username')} rules={[zodRule(S.username)]}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('user.initialPassword')}
              extra={t('password.hint')}
              rules={[zodRule(S.password)]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        )}
        <Form.Item name="displayName" label={t('user.displayName')} rules={[zodRule(S.displayName)]}>
          <Input />
        </Form.Item>
        <Form.Item name="unitId" label={t('common.unit')} rules={[zodRule(S.unitId)]}>
          <TreeSelect treeData={tree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Form.Item name="roleIds" label={t('user.roles')} rules={[zodRule(S.roleIds)]}>
          <Select
            mode="multiple"
            options={roles.map((r) => ({ value: r.id, label: r.name }))}
            optionFilterProp="label"
          />
        </Form.Item>
        <Space.Compact block>
          <Form.Item name="staffNo" label={t('user.staffNo')} style={{ flex: 1 }} rules={[zodRule(S.staffNo)]}>
            <Input />
          </Form.Item>
          <Form.Item
            name="title"
            label={t('user.jobTitle')}
            style={{ flex: 1, marginInlineStart: 8 }}
            rules={[zodRule(S.title)]}
          >
            <Input />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="businessHandled" label={t('user.businessHandled')} rules={[zodRule(S.businessHandled)]}>
          <Select mode="tags" tokenSeparators={[',', '，']} />
        </Form.Item>
        <Form.Item name="phone" label={t('user.phone')} rules={[zodRule(S.phone)]}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={t('user.email')} rules={[zodRule(S.email)]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('user.photo')}>
          <Space>
            <Avatar size={64} shape="square" src={currentPhoto ?? undefined}>
              {editing?.displayName.slice(0, 1)}
            </Avatar>
            <Upload
              accept="image/png,image/jpeg,image/webp"
              showUploadList={false}
              beforeUpload={(file) => {
                if (file.size > 300 * 1024) void message.error(t('user.photoTooLarge'));
                else void readAsDataUrl(file).then(setPhoto);
                return false;
              }}
            >
              <Button>{t('user.upload')}</Button>
            </Upload>
            {currentPhoto && (
              <Button type="link" danger onClick={() => setPhoto(null)}>
                {t('user.removePhoto')}
              </Button>
            )}
          </Space>
        </Form.Item>
        {editing && (
          <Form.Item name="isActive" label={t('common.status')} valuePropName="checked">
            <Switch checkedChildren={t('common.active')} unCheckedChildren={t('common.inactive')} />
          </Form.Item>
        )}
      </Form>
    </Drawer>
  );
}
