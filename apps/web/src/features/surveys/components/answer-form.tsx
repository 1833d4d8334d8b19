import {
  checkAnswers,
  CSAT_LABELS,
  LIKERT_LABELS,
  surveyPath,
  type TAnswerValue,
  type TQuestion,
  type TSurveyDefinition,
} from '@huifang/shared';
import { Button, Checkbox, Form, Input, InputNumber, Radio, Rate, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

type TAnswers = Record<string, TAnswerValue | undefined>;

/** One question's input, sized for a phone first (large touch targets, one column). */
function QuestionInput({
  q,
  value,
  onChange,
}: {
  q: TQuestion;
  value: TAnswerValue | undefined;
  onChange: (v: TAnswerValue | undefined) => void;
}) {
  const scale = (labels: Record<number, string>) => (
    <Radio.Group value={value} onChange={(e) => onChange(e.target.value as number)} style={{ width: '100%' }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        {[5, 4, 3, 2, 1].map((v) => (
          <Radio key={v} value={v} style={{ padding: '6px 0', fontSize: 16 }}>
            {labels[v]}
          </Radio>
        ))}
      </Space>
    </Radio.Group>
  );
  switch (q.type) {
    case 'single':
      return (
        <Radio.Group value={value} onChange={(e) => onChange(e.target.value as string)}>
          <Space direction="vertical">
            {(q.options ?? []).map((o) => (
              <Radio key={o.value} value={o.value} style={{ padding: '6px 0', fontSize: 16 }}>
                {o.label}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      );
    case 'multiple':
      return (
        <Checkbox.Group value={(value as string[] | undefined) ?? []} onChange={(v) => onChange(v as string[])}>
          <Space direction="vertical">
            {(q.options ?? []).map((o) => (
              <Checkbox key={o.value} value={o.value} style={{ padding: '6px 0', fontSize: 16 }}>
                {o.label}
              </Checkbox>
            ))}
          </Space>
        </Checkbox.Group>
      );
    case 'likert':
      return scale(LIKERT_LABELS);
    case 'csat':
      return scale(CSAT_LABELS);
    case 'rating':
      return (
        <Rate
          value={(value as number | undefined) ?? 0}
          onChange={(v) => onChange(v || undefined)}
          style={{ fontSize: 32 }}
        />
      );
    case 'nps':
      return (
        <Radio.Group
          value={value}
          onChange={(e) => onChange(e.target.value as number)}
          optionType="button"
          buttonStyle="solid"
        >
          {[...Array(11).keys()].map((v) => (
            <Radio.Button key={v} value={v} style={{ minWidth: 30, padding: '0 6px', textAlign: 'center' }}>
              {v}
            </Radio.Button>
          ))}
        </Radio.Group>
      );
    case 'number':
      return (
        <InputNumber
          value={value as number | undefined}
          onChange={(v) => onChange(v ?? undefined)}
          style={{ width: '100%' }}
          size="large"
        />
      );
    case 'date':
      return (
        <Input
          type="date"
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange(e.target.value || undefined)}
          size="large"
        />
      );
    case 'text':
      return (
        <Input.TextArea
          value={(value as string | undefined) ?? ''}
          onChange={(e) => onChange(e.target.value)}
          rows={4}
          maxLength={2000}
          showCount
        />
      );
  }
}

/**
 * The answer form of a survey (H5 page, designer preview, staff entry): shows the questions on the respondent's path
 * (skip logic from the shared `surveyPath`), validates with the shared `checkAnswers` before sending, and shows the
 * server's per-question errors (`body.answers.<key>`) the same way.
 */
export function AnswerForm({
  definition,
  onSubmit,
  submitLabel,
  serverErrors,
}: {
  definition: TSurveyDefinition;
  onSubmit: (answers: Record<string, TAnswerValue>) => Promise<void> | void;
  submitLabel?: string;
  serverErrors?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const [answers, setAnswers] = useState<TAnswers>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const path = useMemo(() => surveyPath(definition, answers), [definition, answers]);
  const shown = { ...errors, ...(serverErrors ?? {}) };

  const submit = async () => {
    const onPath = new Set(path.map((q) => q.key));
    const clean = Object.fromEntries(
      Object.entries(answers).filter(
        ([k, v]) => onPath.has(k) && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0),
      ),
    ) as Record<string, TAnswerValue>;
    const problems = checkAnswers(definition, clean);
    setErrors(
      Object.fromEntries(
        problems.map((p) => [
          p.path.replace(/^answers\./, ''),
          p.message === 'required' ? t('survey.answer.required') : p.message,
        ]),
      ),
    );
    if (problems.length) {
      document
        .querySelector(`[data-question="${problems[0]!.path.replace(/^answers\./, '')}"]`)
        ?.scrollIntoView({ behavior: 'smooth', block: 'center' });
      return;
    }
    setBusy(true);
    try {
      await onSubmit(clean);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form layout="vertical" data-testid="answer-form" onFinish={() => void submit()}>
      {path.map((q, i) => (
        <Form.Item
          key={q.key}
          data-question={q.key}
          required={q.required}
          label={
            <span style={{ fontSize: 16, fontWeight: 500 }}>
              {i + 1}. {q.title}
            </span>
          }
          extra={q.description}
          validateStatus={shown[q.key] ? 'error' : undefined}
          help={shown[q.key]}
        >
          <QuestionInput
            q={q}
            value={answers[q.key]}
            onChange={(v) => {
              setAnswers((a) => ({ ...a, [q.key]: v }));
              setErrors(({ [q.key]: _cleared, ...rest }) => rest);
            }}
          />
        </Form.Item>
      ))}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('survey.answer.progress', { n: path.length })}
      </Typography.Paragraph>
      <Button type="primary" htmlType="submit" size="large" block loading={busy} data-testid="answer-submit">
        {submitLabel ?? t('survey.answer.submit')}
      </Button>
    </Form>
  );
}
