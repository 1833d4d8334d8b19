import { useQueryClient } from '@tanstack/react-query';
import {
  PATH_RULE_KINDS,
  pathTemplateFields as F,
  type TPathPoint,
  type TPathRule,
  type TPathTemplateDetail,
  type TPathTemplateInput,
} from '@huifang/shared';
import {
  App,
  Button,
  Card,
  Col,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Tag,
  Timeline,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { applyServerErrors, clearServerErrors, errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { validatedValues } from '../../../lib/form.ts';
import { zodRule } from '../../../lib/zod-rule.ts';
import { useAllPlans, useMethods, usePublishedSurveys, useServiceTypes } from '../api.ts';
import { createPath, PATHS_KEY, updatePath, usePath, useServiceRecordFields } from '../paths-api.ts';
import { ExplainView, RecordPicker } from './paths-explain.tsx';

const SERVICE_TIME = '__occurred_at';
type TFormPoint = Omit<TPathPoint, 'anchor'> & { anchor: string };

const toForm = (p: TPathPoint): TFormPoint => ({
  ...p,
  anchor: p.anchor.kind === 'field' ? p.anchor.key : SERVICE_TIME,
});
const fromForm = (p: TFormPoint): TPathPoint => ({
  ...p,
  script: p.script ?? '',
  surveyId: p.surveyId ?? null,
  anchor: p.anchor === SERVICE_TIME ? { kind: 'occurred_at' } : { kind: 'field', key: p.anchor },
});

/** 回访路径 editor: points table, weighted rules, version history and a preview on a real service record. */
export function PathDrawer(props: { open: boolean; id?: string | undefined; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const [previewRecord, setPreviewRecord] = useState<string | null>(null);
  const detail = usePath(props.id ?? null);
  const plans = (useAllPlans().data ?? []).filter((p) => p.status !== 'closed');
  const methods = useMethods().data ?? [];
  const surveys = usePublishedSurveys().data ?? [];
  const types = useServiceTypes().data ?? [];
  const fields = useServiceRecordFields().data ?? [];
  const d: TPathTemplateDetail | undefined = detail.data;

  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    setPreviewRecord(null);
    if (props.id && d)
      form.setFieldsValue({ name: d.name, planId: d.planId, rules: d.rules, points: d.points.map(toForm) });
    else if (!props.id)
      form.setFieldsValue({
        rules: [{ kind: 'service_type', weight: 10, negative: false }],
        points: [
          {
            label: '',
            anchor: SERVICE_TIME,
            offsetDays: 7,
            windowDays: 2,
            method: 'phone',
            priority: 3,
            skippable: false,
            script: '',
          },
        ],
      });
  }, [props.open, props.id, d, form]);

  const onSave = async () => {
    const v = await validatedValues(form);
    if (!v) return;
    const body: TPathTemplateInput = {
      name: v.name,
      planId: v.planId,
      rules: (v.rules ?? []) as TPathRule[],
      points: ((v.points ?? []) as TFormPoint[]).map(fromForm),
    };
    setSaving(true);
    try {
      const saved = props.id ? await updatePath(props.id, body) : await createPath(body);
      await qc.invalidateQueries({ queryKey: PATHS_KEY });
      void message.success(
        props.id && d && saved.currentVersion !== d.currentVersion
          ? t('paths.newVersion', { v: saved.currentVersion })
          : t('common.saved'),
      );
      props.onClose();
    } catch (e) {
      if (!applyServerErrors(form, e, i18n.language)) void message.error(errorText(e, i18n.language));
    } finally {
      setSaving(false);
    }
  };

  const anchorOptions = [
    { value: SERVICE_TIME, label: t('paths.point.serviceTime') },
    ...fields.filter((f) => f.type === 'date').map((f) => ({ value: f.key, label: f.label })),
  ];
  return (
    <Drawer
      open={props.open}
      width={980}
      destroyOnHidden
      title={d ? `${t('paths.edit')} · ${d.name} · v${d.currentVersion}` : t('paths.create')}
      onClose={props.onClose}
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} data-testid="path-save" onClick={() => void onSave()}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form
        form={form}
        name="path"
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        layout="vertical"
      >
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="name" label={t('paths.name')} rules={[zodRule(F.name)]}>
              <Input data-testid="path-name" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="planId"
              label={t('paths.plan')}
              rules={[{ required: true, message: t('paths.planRequired') }]}
              extra={t('paths.planHint')}
            >
              <Select
                data-testid="path-plan"
                options={plans.map((p) => ({
                  value: p.id,
                  label: `${p.name} · ${t(`followup.planStatus.${p.status}`)}`,
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Divider titlePlacement="start">{t('paths.points')}</Divider>
        {d && d.versions.some((v) => v.version === d.currentVersion && v.isInUse) && (
          <Tag color="orange" style={{ marginBottom: 8 }}>
            {t('paths.inUseHint')}
          </Tag>
        )}
        <Form.List name="points">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }, i) => (
                <Card
                  key={key}
                  size="small"
                  style={{ marginBottom: 8 }}
                  title={`#${i + 1}`}
                  extra={
                    <Button type="link" danger size="small" onClick={() => remove(name)}>
                      {t('common.delete')}
                    </Button>
                  }
                >
                  <Row gutter={8}>
                    <Col span={6}>
                      <Form.Item
                        name={[name, 'label']}
                        label={t('paths.point.label')}
                        rules={[{ required: true, message: t('paths.point.labelRequired') }]}
                      >
                        <Input data-testid={`point-label-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col span={5}>
                      <Form.Item name={[name, 'anchor']} label={t('paths.point.anchor')}>
                        <Select options={anchorOptions} data-testid={`point-anchor-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col span={3}>
                      <Form.Item name={[name, 'offsetDays']} label={t('paths.point.offset')}>
                        <InputNumber style={{ width: '100%' }} data-testid={`point-offset-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col span={3}>
                      <Form.Item name={[name, 'windowDays']} label={t('paths.point.window')}>
                        <InputNumber style={{ width: '100%' }} prefix="±" data-testid={`point-window-${i}`} />
                      </Form.Item>
                    </Col>
                    <Col span={4}>
                      <Form.Item name={[name, 'method']} label={t('paths.point.method')}>
                        <Select
                          options={methods.map((m) => ({ value: m.code, label: m.label }))}
                          data-testid={`point-method-${i}`}
                        />
                      </Form.Item>
                    </Col>
                    <Col span={3}>
                      <Form.Item name={[name, 'priority']} label={t('paths.point.priority')}>
                        <InputNumber min={1} max={5} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                  </Row>
                  <Row gutter={8}>
                    <Col span={11}>
                      <Form.Item name={[name, 'script']} label={t('paths.point.script')}>
                        <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} />
                      </Form.Item>
                    </Col>
                    <Col span={9}>
                      <Form.Item name={[name, 'surveyId']} label={t('paths.point.survey')}>
                        <Select allowClear options={surveys.map((s) => ({ value: s.id, label: s.title }))} />
                      </Form.Item>
                    </Col>
                    <Col span={4}>
                      <Form.Item name={[name, 'skippable']} label={t('paths.point.skippable')} valuePropName="checked">
                        <Switch />
                      </Form.Item>
                    </Col>
                  </Row>
                </Card>
              ))}
              <Button
                type="dashed"
                block
                data-testid="point-add"
                onClick={() =>
                  add({
                    label: '',
                    anchor: SERVICE_TIME,
                    offsetDays: 30,
                    windowDays: 5,
                    method: 'phone',
                    priority: 3,
                    skippable: false,
                    script: '',
                  })
                }
              >
                {t('paths.point.add')}
              </Button>
            </>
          )}
        </Form.List>
        <Divider titlePlacement="start">{t('paths.rules')}</Divider>
        <Form.List name="rules">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }, i) => (
                <Form.Item key={key} noStyle shouldUpdate>
                  {() => {
                    const kind = form.getFieldValue(['rules', name, 'kind']) as string;
                    return (
                      <Row gutter={8} align="bottom">
                        <Col span={1} style={{ paddingBottom: 30 }}>
                          #{i + 1}
                        </Col>
                        <Col span={5}>
                          <Form.Item name={[name, 'kind']} label={t('paths.rule.kind')}>
                            <Select
                              options={PATH_RULE_KINDS.map((k) => ({ value: k, label: t(`paths.rule.kinds.${k}`) }))}
                              data-testid={`rule-kind-${i}`}
                            />
                          </Form.Item>
                        </Col>
                        {kind === 'service_type' ? (
                          <Col span={9}>
                            <Form.Item
                              name={[name, 'serviceTypeId']}
                              label={t('paths.rule.serviceType')}
                              rules={[{ required: true, message: t('paths.rule.required') }]}
                            >
                              <Select
                                options={types.map((s) => ({ value: s.id, label: s.name }))}
                                data-testid={`rule-type-${i}`}
                              />
                            </Form.Item>
                          </Col>
                        ) : (
                          <>
                            <Col span={4}>
                              <Form.Item
                                name={[name, 'key']}
                                label={t('paths.rule.field')}
                                rules={[{ required: true, message: t('paths.rule.required') }]}
                              >
                                <Select options={fields.map((f) => ({ value: f.key, label: f.label }))} />
                              </Form.Item>
                            </Col>
                            <Col span={5}>
                              <Form.Item
                                name={[name, 'value']}
                                label={t('paths.rule.value')}
                                rules={[{ required: true, message: t('paths.rule.required') }]}
                              >
                                <Input />
                              </Form.Item>
                            </Col>
                          </>
                        )}
                        <Col span={3}>
                          <Form.Item name={[name, 'weight']} label={t('paths.rule.weight')}>
                            <InputNumber min={1} max={1000} style={{ width: '100%' }} />
                          </Form.Item>
                        </Col>
                        <Col span={3}>
                          <Form.Item name={[name, 'negative']} label={t('paths.rule.negative')} valuePropName="checked">
                            <Switch />
                          </Form.Item>
                        </Col>
                        <Col span={3} style={{ paddingBottom: 24 }}>
                          <Button type="link" danger onClick={() => remove(name)}>
                            {t('common.delete')}
                          </Button>
                        </Col>
                      </Row>
                    );
                  }}
                </Form.Item>
              ))}
              <Button type="dashed" block onClick={() => add({ kind: 'field_equals', weight: 5, negative: false })}>
                {t('paths.rule.add')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
      {d && (
        <>
          <Divider titlePlacement="start">{t('paths.versions')}</Divider>
          <Timeline
            data-testid="path-versions"
            items={d.versions.map((v) => ({
              color: v.version === d.currentVersion ? 'green' : 'gray',
              children: (
                <span>
                  <b>v{v.version}</b> · {fmtTime(v.createdAt)} ·{' '}
                  {v.points
                    .map((p) => `${p.label} ${p.offsetDays >= 0 ? '+' : ''}${p.offsetDays}±${p.windowDays}`)
                    .join(' / ')}{' '}
                  {v.isInUse ? (
                    <Tag color="orange">{t('paths.inUse', { n: v.tasks })}</Tag>
                  ) : (
                    <Tag>{t('paths.unused')}</Tag>
                  )}
                  {v.version === d.currentVersion && <Tag color="green">{t('paths.current')}</Tag>}
                </span>
              ),
            }))}
          />
          <Divider titlePlacement="start">{t('paths.preview')}</Divider>
          <Space direction="vertical" style={{ width: '100%' }}>
            <RecordPicker value={previewRecord} onChange={setPreviewRecord} />
            {previewRecord && <ExplainView serviceRecordId={previewRecord} templateId={d.id} />}
          </Space>
        </>
      )}
    </Drawer>
  );
}
