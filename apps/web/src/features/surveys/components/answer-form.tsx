import {
  checkAnswers,
  CSAT_LABELS,
  LIKERT_LABELS,
  surveyPath,
  type TAnswerValue,
  type TQuestion,
  type TSurveyDefinition,
} from '@huifang/shared';
import { Button, ChoiceList, Rate, Segments, TextInput } from '../../../lib/phone-ui/phone-ui.tsx';
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
  const name = `q-${q.key}`;
  const scale = (labels: Record<number, string>) => (
    <ChoiceList
      kind="radio"
      name={name}
      options={[5, 4, 3, 2, 1].map((v) => ({ value: v, label: labels[v] }))}
      value={value === undefined ? [] : [value as number]}
      onChange={(v) => onChange(v[0])}
    />
  );
  switch (q.type) {
    case 'single':
      return (
        <ChoiceList
          kind="radio"
          name={name}
          options={q.options ?? []}
          value={value === undefined ? [] : [value as string]}
          onChange={(v) => onChange(v[0])}
        />
      );
    case 'multiple':
      return (
        <ChoiceList
          kind="checkbox"
          name={name}
          options={q.options ?? []}
          value={(value as string[] | undefined) ?? []}
          onChange={(v) => onChange(v)}
        />
      );
    case 'likert':
      return scale(LIKERT_LABELS);
    case 'csat':
      return scale(CSAT_LABELS);
    case 'rating':
      return <Rate value={(value as number | undefined) ?? 0} onChange={(v) => onChange(v || undefined)} size={32} />;
    case 'nps':
      return (
        <Segments
          name={name}
          options={[...Array(11).keys()]}
          value={value as number | undefined}
          onChange={(v) => onChange(v)}
        />
      );
    case 'number':
      return (
        <TextInput
          type="number"
          inputMode="decimal"
          size="large"
          value={value === undefined ? '' : String(value as number)}
          onChange={(v) => onChange(v === '' || Number.isNaN(Number(v)) ? undefined : Number(v))}
        />
      );
    case 'date':
      return (
        <TextInput
          type="date"
          size="large"
          value={(value as string | undefined) ?? ''}
          onChange={(v) => onChange(v || undefined)}
        />
      );
    case 'text':
      return (
        <TextInput
          value={(value as string | undefined) ?? ''}
          onChange={(v) => onChange(v)}
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
    <form
      className="hf-page"
      data-testid="answer-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {path.map((q, i) => (
        <div key={q.key} data-question={q.key} className={`hf-field${shown[q.key] ? ' hf-field-invalid' : ''}`}>
          <div className="hf-field-label">
            <span className={q.required ? 'hf-required' : undefined} style={{ fontSize: 16, fontWeight: 500 }}>
              {i + 1}. {q.title}
            </span>
          </div>
          <QuestionInput
            q={q}
            value={answers[q.key]}
            onChange={(v) => {
              setAnswers((a) => ({ ...a, [q.key]: v }));
              setErrors(({ [q.key]: _cleared, ...rest }) => rest);
            }}
          />
          {shown[q.key] && (
            <div className="hf-field-error" role="alert">
              {shown[q.key]}
            </div>
          )}
          {q.description && <div className="hf-field-extra">{q.description}</div>}
        </div>
      ))}
      <p className="hf-secondary" style={{ fontSize: 12 }}>
        {t('survey.answer.progress', { n: path.length })}
      </p>
      <Button type="primary" htmlType="submit" size="large" block loading={busy} testId="answer-submit">
        {submitLabel ?? t('survey.answer.submit')}
      </Button>
    </form>
  );
}
