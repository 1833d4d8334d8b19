import { useQueryClient } from '@tanstack/react-query';
import { DATA_SCOPES, PERMISSION_GROUPS, ZCreateRoleInput, type TPermission, type TRole } from '@huifang/shared';
import { Alert, App, Button, Checkbox, Drawer, Form, Input, Radio, Space, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../../../api/client.ts';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { ROLES_KEY } from '../../users/api.ts';

interface TValues {
  name: string;
  description?: string;
  dataScope: TRole['dataScope'];
  permissions: TPermission[];
}

/** Permissions ticked from the list (勾选方式), grouped, with a tick-all per group. */
function PermissionPicker({
  value = [],
  onChange,
  disabled,
}: {
  value?: TPermission[];
  onChange?: (v: TPermission[]) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {PERMISSION_GROUPS.map((g) => {
        const picked = g.permissions.filter((p) => value.includes(p));
        const set = (ps: TPermission[]) => onChange?.([...value.filter((p) => !g.permissions.includes(p)), ...ps]);
        return (
          <div key={g.key} style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 8 }}>
            <Checkbox
              disabled={disabled}
              checked={picked.length === g.permissions.length}
              indeterminate={picked.length > 0 && picked.length < g.permissions.length}
              onChange={(e) => set(e.target.checked ? g.permissions : [])}
            >
              <Typography.Text strong>{t(`permGroup.${g.key}`)}</Typography.Text>
            </Checkbox>
            <div style={{ paddingInlineStart: 24, marginTop: 4 }}>
              <Checkbox.Group
                disabled={disabled}
                value={picked}
                onChange={(v) => set(v as TPermission[])}
                options={g.permissions.map((p) => ({ value: p, label: t(`perm.${p}`) }))}
              />
            </div>
          </div>
        );
      })}
    </Space>
  );
}

/** Create or edit a role; read-only for the admin role and for users without role:write. */
export function RoleDrawer(props: { open: boolean; role?: TRole; readOnly?: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<TValues>();
  const role = props.role;
  const isAdminRole = role?.key === 'admin';
  const locked = isAdminRole || !!props.readOnly;

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    form.setFieldsValue(
      role
        ? {
            name: role.name,
            description: role.description ?? undefined,
            dataScope: role.dataScope,
            permissions: role.permissions,
          }
        : { dataScope: 'unit', permissions: [] },
    );
  }, [props.open, role, form]);

  const onSave = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    try {
      if (role) await patch(`/roles/${role.id}`, v);
      else await post('/roles', v);
      await qc.invalidateQueries({ queryKey: ROLES_KEY });
      void message.success(t('common.saved'));
      props.onClose();
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    }
  };

  return (
    <Drawer
      open={props.open}
      width={560}
      title={role ? `${locked ? t('role.permissions') : t('role.edit')} · ${role.name}` : t('role.create')}
      onClose={props.onClose}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" disabled={locked} onClick={() => void onSave()} data-testid="role-save">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {isAdminRole && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('role.locked')} />}
      <Form
        form={form}
        name="role"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
        disabled={locked}
      >
        <Form.Item name="name" label={t('role.name')} rules={[zodRule(ZCreateRoleInput.shape.name)]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('common.description')}>
          <Input.TextArea rows={2} maxLength={200} />
        </Form.Item>
        <Form.Item name="dataScope" label={t('role.dataScope')}>
          <Radio.Group options={DATA_SCOPES.map((s) => ({ value: s, label: t(`scope.${s}`) }))} />
        </Form.Item>
        <Form.Item name="permissions" label={t('role.permissions')}>
          <PermissionPicker disabled={locked} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
