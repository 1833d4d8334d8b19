import { followupPlanFields, SCRIPT_PLACEHOLDERS } from '@huifang/shared';
import { Card, Form, Input, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { zodRule } from '../../../lib/zod-rule.ts';

/** Sample values for the live example (the server fills the real ones per task). */
const SAMPLE: Record<(typeof SCRIPT_PLACEHOLDERS)[number], string> = {
  客户姓名: '王晓明',
  客户称呼: '王先生',
  服务日期: '2026-04-12',
  服务类型: '窗口服务',
  坐席姓名: '刘洋',
  计划名称: '季度满意度回访',
  网点名称: '陆家嘴支行',
  礼品: '定制保温杯',
};

export const renderSample = (script: string) =>
  script.replace(/\{([^{}]*)\}/g, (whole, name: string) => SAMPLE[name as keyof typeof SAMPLE] ?? whole);

/** 话术 with clickable placeholders ({客户姓名}…) and a live example rendered with sample values. */
export function ScriptField() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const script = (Form.useWatch('script', form) as string | undefined) ?? '';
  const insert = (p: string) => form.setFieldValue('script', `${form.getFieldValue('script') ?? ''}{${p}}`);
  return (
    <>
      <Form.Item
        name="script"
        label={t('followup.plan.script')}
        rules={[zodRule(followupPlanFields.script, { emptyAs: '' })]}
        extra={
          <Space wrap size={4} style={{ marginTop: 4 }}>
            {t('followup.plan.placeholders')}
            {SCRIPT_PLACEHOLDERS.map((p) => (
              <Tag
                key={p}
                color="blue"
                style={{ cursor: 'pointer' }}
                onClick={() => insert(p)}
                data-testid={`ph-${p}`}
              >{`{${p}}`}</Tag>
            ))}
          </Space>
        }
      >
        <Input.TextArea rows={3} data-testid="plan-script" />
      </Form.Item>
      <Card size="small" title={t('followup.plan.scriptExample')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph data-testid="plan-script-example" style={{ marginBottom: 0 }}>
          {renderSample(script) || '—'}
        </Typography.Paragraph>
      </Card>
    </>
  );
}
