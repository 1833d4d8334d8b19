import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { isScored, QUESTION_TYPES, type TQuestionType, type TSurveyDefinition } from '@huifang/shared';
import { Button, Card, Col, Form, Input, Row, Select, Space, Switch, Typography, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';

const CHOICE: TQuestionType[] = ['single', 'multiple'];

/** Options of a choice question (value + label). */
function OptionsList({ qIndex }: { qIndex: number }) {
  const { t } = useTranslation();
  return (
    <Form.List name={[qIndex, 'options']}>
      {(fields, { add, remove }) => (
        <Space direction="vertical" style={{ width: '100%' }}>
          {fields.map((f) => (
            <Space key={f.key} align="baseline">
              <Form.Item name={[f.name, 'value']} noStyle>
                <Input placeholder={t('survey.q.optionValue')} style={{ width: 110 }} />
              </Form.Item>
              <Form.Item name={[f.name, 'label']} noStyle>
                <Input placeholder={t('survey.q.optionLabel')} style={{ width: 220 }} />
              </Form.Item>
              <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => add({ value: `o${fields.length + 1}`, label: '' })}
          >
            {t('survey.q.addOption')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}

/** Skip rules 跳题逻辑: if the answer equals / is in … jump to a later question or end. */
function SkipRules({ qIndex, laterKeys }: { qIndex: number; laterKeys: string[] }) {
  const { t } = useTranslation();
  return (
    <Form.List name={[qIndex, 'skip']}>
      {(fields, { add, remove }) => (
        <Space direction="vertical" style={{ width: '100%' }}>
          {fields.map((f) => (
            <Space key={f.key} align="baseline" wrap>
              <span>{t('survey.q.ifAnswer')}</span>
              <Form.Item name={[f.name, 'op']} noStyle>
                <Select
                  style={{ width: 90 }}
                  options={[
                    { value: 'eq', label: t('survey.q.eq') },
                    { value: 'in', label: t('survey.q.in') },
                  ]}
                />
              </Form.Item>
              <Form.Item name={[f.name, 'values']} noStyle>
                <Select mode="tags" style={{ width: 160 }} placeholder={t('survey.q.values')} />
              </Form.Item>
              <span>{t('survey.q.goto')}</span>
              <Form.Item name={[f.name, 'goto']} noStyle>
                <Select
                  style={{ width: 160 }}
                  options={[
                    ...laterKeys.map((k) => ({ value: k, label: k })),
                    { value: 'end', label: t('survey.q.end') },
                  ]}
                />
              </Form.Item>
              <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
            </Space>
          ))}
          <Button size="small" onClick={() => add({ op: 'eq', values: [], goto: 'end' })}>
            {t('survey.q.addSkip')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}

/** The questions of the designer: type, title, required, dimension (scored types), options, skip rules. */
export function QuestionsEditor({ form }: { form: FormInstance<TSurveyDefinition> }) {
  const { t } = useTranslation();
  const questions = (Form.useWatch('questions', form) ?? []) as TSurveyDefinition['questions'];
  const dimensions = (Form.useWatch('dimensions', form) ?? []) as TSurveyDefinition['dimensions'];
  return (
    <Form.List name="questions">
      {(fields, { add, remove, move }) => (
        <Space direction="vertical" style={{ width: '100%' }}>
          {fields.map((f, i) => {
            const q = questions[i];
            const type = q?.type ?? 'likert';
            return (
              <Card
                key={f.key}
                size="small"
                data-testid={`question-${i}`}
                title={
                  <Typography.Text>
                    {i + 1}. {t(`survey.types.${type}`)}
                  </Typography.Text>
                }
                extra={
                  <Space>
                    <Button size="small" disabled={i === 0} onClick={() => move(i, i - 1)}>
                      ↑
                    </Button>
                    <Button size="small" disabled={i === fields.length - 1} onClick={() => move(i, i + 1)}>
                      ↓
                    </Button>
                    <Button size="small" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                  </Space>
                }
              >
                <Row gutter={12}>
                  <Col xs={24} md={4}>
                    <Form.Item name={[f.name, 'key']} label={t('survey.q.key')}>
                      <Input />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={5}>
                    <Form.Item name={[f.name, 'type']} label={t('survey.q.type')}>
                      <Select
                        data-testid={`question-type-${i}`}
                        options={QUESTION_TYPES.map((x) => ({ value: x, label: t(`survey.types.${x}`) }))}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={10}>
                    <Form.Item name={[f.name, 'title']} label={t('survey.q.title')}>
                      <Input data-testid={`question-title-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={2}>
                    <Form.Item name={[f.name, 'required']} label={t('survey.q.required')} valuePropName="checked">
                      <Switch size="small" />
                    </Form.Item>
                  </Col>
                  {isScored(type) && (
                    <Col xs={12} md={3}>
                      <Form.Item name={[f.name, 'dimensionKey']} label={t('survey.q.dimension')}>
                        <Select
                          data-testid={`question-dimension-${i}`}
                          options={dimensions.filter(Boolean).map((d) => ({ value: d.key, label: d.name || d.key }))}
                        />
                      </Form.Item>
                    </Col>
                  )}
                </Row>
                {CHOICE.includes(type) && (
                  <Form.Item label={t('survey.q.options')} style={{ marginBottom: 8 }}>
                    <OptionsList qIndex={f.name} />
                  </Form.Item>
                )}
                {type !== 'text' && (
                  <Form.Item label={t('survey.q.skip')} style={{ marginBottom: 0 }}>
                    <SkipRules
                      qIndex={f.name}
                      laterKeys={questions
                        .slice(i + 1)
                        .map((x) => x?.key)
                        .filter(Boolean)}
                    />
                  </Form.Item>
                )}
              </Card>
            );
          })}
          <Button
            type="dashed"
            block
            icon={<PlusOutlined />}
            data-testid="question-add"
            onClick={() => {
              const used = new Set(questions.map((x) => x?.key));
              let n = fields.length + 1;
              while (used.has(`q${n}`)) n++;
              add({
                key: `q${n}`,
                type: 'likert',
                title: '',
                required: true,
                dimensionKey: dimensions[0]?.key ?? null,
              });
            }}
          >
            {t('survey.q.add')}
          </Button>
        </Space>
      )}
    </Form.List>
  );
}
