import { CLOSE_LOOP_MODES, ZCloseLoopConfig, type TCloseLoopConfig } from '@huifang/shared';
import { Button, Card, Form, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { fmtTime } from '../../../lib/format.ts';
import { useFormSave } from '../../../lib/use-form-save.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { CLOSE_LOOP_KEY, saveCloseLoopSettings, useCloseLoopSettings } from '../close-loop/close-loop-api.ts';

const F = ZCloseLoopConfig.shape;
const THRESHOLDS = [0, 1, 2, 3, 4] as const;

/**
 * 回访闭环 under 系统设置: after a ticket is resolved, a sampled share of customers is called back or sent a short
 * survey by SMS; a low score reopens the ticket, no answer within N working days closes it.
 */
export function CloseLoopSettingsCard({ canWrite }: { canWrite: boolean }) {
  const { t } = useTranslation();
  const settings = useCloseLoopSettings().data;
  const [form] = Form.useForm<TCloseLoopConfig>();
  const onSave = useFormSave(form, {
    save: saveCloseLoopSettings,
    queryKey: CLOSE_LOOP_KEY,
    savedText: t('closeLoop.settings.saved'),
  });
  const title = t('closeLoop.settings.title');
  if (!settings) return <Card size="small" title={title} style={{ marginBottom: 16 }} loading />;
  const { updatedAt, ...initial } = settings;
  const num = (name: keyof TCloseLoopConfig, min: number, max: number, unit: string) => (
    <Form.Item
      name={name}
      label={t(`closeLoop.settings.${name}`)}
      rules={[{ required: true }, zodRule(F[name])]}
      data-testid={`close-loop-${name}`}
    >
      <InputNumber min={min} max={max} precision={0} addonAfter={unit} style={{ width: 160 }} />
    </Form.Item>
  );
  return (
    <Card size="small" title={title} style={{ marginBottom: 16 }} data-testid="close-loop-settings">
      <Typography.Paragraph type="secondary">{t('closeLoop.settings.hint')}</Typography.Paragraph>
      <Form form={form} name="closeLoop" initialValues={initial} layout="inline" disabled={!canWrite}>
        <Form.Item name="mode" label={t('closeLoop.settings.mode')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={CLOSE_LOOP_MODES.map((m) => ({ value: m, label: t(`closeLoop.mode.${m}`) }))}
          />
        </Form.Item>
        {num('samplePercent', 0, 100, '%')}
        {num('delayMinutes', 0, 10080, t('closeLoop.settings.minutes'))}
        {num('expiryHours', 1, 720, t('closeLoop.settings.hours'))}
        <Form.Item
          name="reopenAtOrBelow"
          label={t('closeLoop.settings.reopenAtOrBelow')}
          rules={[{ required: true }, zodRule(F.reopenAtOrBelow)]}
        >
          <Select
            style={{ width: 160 }}
            options={THRESHOLDS.map((n) => ({
              value: n,
              label: n === 0 ? t('closeLoop.settings.never') : t('closeLoop.settings.atOrBelow', { n }),
            }))}
          />
        </Form.Item>
        {num('autoCloseWorkingDays', 1, 10, t('closeLoop.settings.workingDays'))}
        {canWrite && (
          <Form.Item>
            <Button type="primary" onClick={() => void onSave()} data-testid="close-loop-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        )}
      </Form>
      <Space style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">
          {updatedAt ? t('closeLoop.settings.updatedAt', { at: fmtTime(updatedAt) }) : t('closeLoop.settings.defaults')}
        </Typography.Text>
      </Space>
    </Card>
  );
}
