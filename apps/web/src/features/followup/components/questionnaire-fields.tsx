import type { TTaskDetail } from '@huifang/shared';
import { Checkbox, Form, Input, InputNumber, Radio, Rate, Space, Typography } from 'antd';

type TQ = NonNullable<TTaskDetail['questionnaire']>['questions'][number];
export type TAnswers = Record<string, string | number | string[] | null>;

function Answer({
  q,
  value,
  onChange,
}: {
  q: TQ;
  value: TAnswers[string] | undefined;
  onChange: (v: TAnswers[string]) => void;
}) {
  const opts = q.options.map((o) => ({ value: o.value, label: o.label }));
  switch (q.type) {
    case 'single':
      return <Radio.Group options={opts} value={value} onChange={(e) => onChange(e.target.value as string)} />;
    case 'multiple':
      return (
        <Checkbox.Group
          options={opts}
          value={(value as string[] | undefined) ?? []}
          onChange={(v) => onChange(v as string[])}
        />
      );
    case 'likert':
    case 'rating':
    case 'csat':
      return <Rate value={(value as number | undefined) ?? 0} onChange={(v) => onChange(v || null)} />;
    case 'nps':
      return <InputNumber min={0} max={10} value={value as number | undefined} onChange={(v) => onChange(v ?? null)} />;
    case 'number':
      return <InputNumber value={value as number | undefined} onChange={(v) => onChange(v ?? null)} />;
    default:
      return (
        <Input.TextArea
          rows={1}
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange(e.target.value || null)}
        />
      );
  }
}

/** The plan's questionnaire beside the script; answers go with the attempt into the evaluation store. */
export function QuestionnaireFields(props: {
  questionnaire: NonNullable<TTaskDetail['questionnaire']>;
  value: TAnswers;
  onChange: (v: TAnswers) => void;
}) {
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="questionnaire">
      <Typography.Text strong>{props.questionnaire.title}</Typography.Text>
      {props.questionnaire.questions.map((q, i) => (
        <Form.Item
          key={q.key}
          label={`${i + 1}. ${q.title}`}
          required={q.required}
          style={{ marginBottom: 8 }}
          data-testid={`q-${q.key}`}
        >
          <Answer q={q} value={props.value[q.key]} onChange={(v) => props.onChange({ ...props.value, [q.key]: v })} />
        </Form.Item>
      ))}
    </Space>
  );
}

/** Only answered questions are sent. */
export const answeredOnly = (a: TAnswers) =>
  Object.fromEntries(
    Object.entries(a).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
