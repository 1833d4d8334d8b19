import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { ZSurveyDefinition, type TSurveyDefinition } from '@huifang/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Drawer,
  Form,
  Input,
  InputNumber,
  Row,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorText, fieldErrors } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { closeSurvey, publishSurvey, saveSurvey, useSurvey, useSurveyMutation } from '../api.ts';
import { AnswerForm } from '../components/answer-form.tsx';
import { DistributionCard } from '../components/distribution-card.tsx';
import { QuestionsEditor } from '../components/questions-editor.tsx';
import { STATUS_COLOR } from './surveys-page.tsx';

/** Dimensions 维度 and weights; the live sum must read 100%. */
function DimensionsEditor({ sum }: { sum: number }) {
  const { t } = useTranslation();
  return (
    <Form.List name="dimensions">
      {(fields, { add, remove }) => (
        <Space direction="vertical" style={{ width: '100%' }}>
          {fields.map((f, i) => (
            <Space key={f.key} align="baseline" wrap>
              <Form.Item name={[f.name, 'key']} noStyle>
                <Input placeholder={t('survey.dim.key')} style={{ width: 120 }} data-testid={`dim-key-${i}`} />
              </Form.Item>
              <Form.Item name={[f.name, 'name']} noStyle>
                <Input placeholder={t('survey.dim.name')} style={{ width: 160 }} data-testid={`dim-name-${i}`} />
              </Form.Item>
              <Form.Item name={[f.name, 'weight']} noStyle>
                <InputNumber min={0} max={100} addonAfter="%" style={{ width: 120 }} data-testid={`dim-weight-${i}`} />
              </Form.Item>
              <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Space>
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => add({ key: `d${fields.length + 1}`, name: '', weight: 0 })}
              data-testid="dim-add"
            >
              {t('survey.dim.add')}
            </Button>
            {fields.length > 0 && (
              <Typography.Text type={sum === 100 ? 'success' : 'danger'} data-testid="dim-sum">
                {t('survey.dim.sum', { sum })}
              </Typography.Text>
            )}
          </Space>
        </Space>
      )}
    </Form.List>
  );
}

/** 问卷设计: edit the latest version (a published one is kept; saving makes the next version), preview, publish. */
export function SurveyDesignerPage() {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const { id = '' } = useParams();
  const me = useMe().data;
  const survey = useSurvey(id);
  const [form] = Form.useForm<TSurveyDefinition>();
  const [formError, setFormError] = useState<string | null>(null);
  const [preview, setPreview] = useState<TSurveyDefinition | null>(null);
  const save = useSurveyMutation((d: TSurveyDefinition) => saveSurvey(id, d));
  const publish = useSurveyMutation(() => publishSurvey(id));
  const close = useSurveyMutation(() => closeSurvey(id));
  const dims = (Form.useWatch('dimensions', form) ?? []) as TSurveyDefinition['dimensions'];
  const sum = dims.reduce((s, d) => s + (Number(d?.weight) || 0), 0);
  const canWrite = can(me, 'survey:write');

  useEffect(() => {
    if (survey.data) form.setFieldsValue(survey.data.definition);
  }, [survey.data, form]);

  /** The weights rule in the user's language; other rules name their field. */
  const explain = (path: string, msg: string) =>
    path === 'dimensions' ? t('survey.dim.mustSum', { sum }) : `${path}: ${msg}`;

  /** Check with the shared schema; mark the fields at fault (same paths as the server's). */
  const checked = (): TSurveyDefinition | null => {
    const values = form.getFieldsValue(true) as TSurveyDefinition;
    const r = ZSurveyDefinition.safeParse(values);
    form.setFields(
      Object.keys(form.getFieldsError().reduce((a, e) => ({ ...a, [JSON.stringify(e.name)]: 1 }), {})).map((k) => ({
        name: JSON.parse(k) as never,
        errors: [],
      })),
    );
    if (r.success) {
      setFormError(null);
      return r.data;
    }
    form.setFields(
      r.error.issues.filter((i) => i.path.length > 1).map((i) => ({ name: i.path as never, errors: [i.message] })),
    );
    setFormError(r.error.issues.map((i) => explain(i.path.join('.'), i.message)).join('；'));
    return null;
  };

  const onSave = async () => {
    const d = checked();
    if (!d) return false;
    try {
      await save.mutateAsync(d);
      void message.success(t('survey.saved'));
      return true;
    } catch (err) {
      const fields = fieldErrors(err, i18n.language).map((f) => ({
        ...f,
        name: f.name.slice(1) as never as (string | number)[],
      }));
      form.setFields(fields as never);
      setFormError(
        fields.map((f) => explain(f.name.join('.'), f.errors[0] ?? '')).join('；') || errorText(err, i18n.language),
      );
      return false;
    }
  };

  if (survey.isLoading || !survey.data) return <Spin />;
  const s = survey.data;
  return (
    <Row gutter={16}>
      <Col xs={24} xl={16}>
        <Card
          title={
            <Space>
              {s.title}
              <Tag color={STATUS_COLOR[s.status]}>{t(`survey.statuses.${s.status}`)}</Tag>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('survey.versionInfo', { latest: s.latestVersion, published: s.publishedVersion ?? '-' })}
              </Typography.Text>
            </Space>
          }
          extra={
            <Space>
              <Button
                onClick={() => setPreview(form.getFieldsValue(true) as TSurveyDefinition)}
                data-testid="survey-preview"
              >
                {t('survey.preview')}
              </Button>
              {canWrite && (
                <>
                  <Button onClick={() => void onSave()} loading={save.isPending} data-testid="survey-save">
                    {t('common.save')}
                  </Button>
                  <Button
                    type="primary"
                    loading={publish.isPending}
                    data-testid="survey-publish"
                    onClick={async () => {
                      if (!(await onSave())) return;
                      try {
                        await publish.mutateAsync(undefined);
                        void message.success(t('survey.publishedOk'));
                      } catch (err) {
                        void message.error(errorText(err, i18n.language));
                      }
                    }}
                  >
                    {t('survey.publish')}
                  </Button>
                  {s.status === 'published' && (
                    <Button
                      danger
                      onClick={() =>
                        modal.confirm({ title: t('survey.closeConfirm'), onOk: () => close.mutateAsync(undefined) })
                      }
                    >
                      {t('survey.close')}
                    </Button>
                  )}
                </>
              )}
              <Link to={`/surveys/${id}/results`} data-testid="survey-results-link">
                {t('survey.results')}
              </Link>
            </Space>
          }
        >
          {s.status !== 'draft' && (
            <Alert type="info" showIcon message={t('survey.versionNote')} style={{ marginBottom: 12 }} />
          )}
          {formError && (
            <Alert
              type="error"
              showIcon
              message={t('survey.fixErrors')}
              description={formError}
              style={{ marginBottom: 12 }}
              data-testid="survey-form-error"
            />
          )}
          <Form form={form} layout="vertical" disabled={!canWrite}>
            <Form.Item name="title" label={t('survey.name')}>
              <Input data-testid="survey-title" />
            </Form.Item>
            <Form.Item name="description" label={t('survey.description')}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="thankYou" label={t('survey.thankYou')}>
              <Input />
            </Form.Item>
            <Typography.Title level={5}>{t('survey.dimensions')}</Typography.Title>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('survey.dimensionsHelp')}
            </Typography.Paragraph>
            <DimensionsEditor sum={sum} />
            <Typography.Title level={5} style={{ marginTop: 24 }}>
              {t('survey.questions')}
            </Typography.Title>
            <QuestionsEditor form={form} />
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <DistributionCard survey={s} canWrite={canWrite} canEnter={can(me, 'customer:write')} />
      </Col>
      <Drawer
        open={preview !== null}
        onClose={() => setPreview(null)}
        title={t('survey.preview')}
        size={420}
        destroyOnHidden
      >
        {preview &&
          (ZSurveyDefinition.safeParse(preview).success ? (
            <div style={{ maxWidth: 375, margin: '0 auto' }} data-testid="survey-preview-body">
              <Typography.Title level={4}>{preview.title}</Typography.Title>
              <Typography.Paragraph type="secondary">{preview.description}</Typography.Paragraph>
              <AnswerForm
                definition={ZSurveyDefinition.parse(preview)}
                onSubmit={() => void message.info(t('survey.previewOnly'))}
              />
            </div>
          ) : (
            <Alert type="warning" message={t('survey.previewInvalid')} />
          ))}
      </Drawer>
    </Row>
  );
}
