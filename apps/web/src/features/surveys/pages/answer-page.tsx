import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError } from '../../../api/client.ts';
import { errorText, fieldErrors } from '../../../api/error-text.ts';
import { publicSurvey, submitPublic } from '../api.ts';
import { AnswerForm } from '../components/answer-form.tsx';
import { Alert, LangSwitch, Loading, Result } from '../../../lib/phone-ui/phone-ui.tsx';

const DEVICE_KEY = 'hf.survey.device';
/** One random key per browser: the open link accepts one response per device (the server dedupes on it). */
function deviceKey(): string {
  let k = localStorage.getItem(DEVICE_KEY);
  if (!k) {
    k = `dev-${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE_KEY, k);
  }
  return k;
}

/**
 * The mobile H5 answer page 答题页 at /s/:token, outside the app shell and without a session: it shows only this
 * survey (the server sends the published definition and nothing about any customer). Phone-sized first.
 */
export function AnswerPage() {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const survey = useQuery({
    queryKey: ['public-survey', token],
    queryFn: () => publicSurvey(token, deviceKey()),
    retry: false,
  });
  const [done, setDone] = useState<{ title: string; sub: string } | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  let body;
  if (survey.isLoading)
    body = (
      <div style={{ marginTop: 56 }}>
        <Loading />
      </div>
    );
  else if (survey.error) {
    const e = survey.error;
    body = (
      <Result
        status={e instanceof ApiError && e.code === 'SURVEY_LINK_USED' ? 'success' : 'warning'}
        title={e instanceof ApiError && e.status === 404 ? t('survey.answer.invalidLink') : errorText(e, i18n.language)}
      />
    );
  } else if (done !== null)
    body = <Result status="success" title={done.title} subTitle={done.sub} testId="answer-done" />;
  else if (survey.data?.answered) {
    // This browser already answered the open link: no second form (the server would keep only the first answer).
    body = (
      <Result
        status="success"
        title={t('survey.answer.alreadySubmitted')}
        subTitle={t('survey.answer.alreadySubmittedHint')}
        testId="answer-already"
      />
    );
  } else if (survey.data) {
    const def = survey.data.definition;
    body = (
      <>
        <h3 style={{ marginTop: 8 }}>{def.title}</h3>
        {def.description && <p className="hf-secondary">{def.description}</p>}
        {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} />}
        <AnswerForm
          definition={def}
          serverErrors={serverErrors}
          onSubmit={async (answers) => {
            setFailure(null);
            try {
              const res = await submitPublic(token, answers, deviceKey());
              // A repeat from this browser keeps the first answer: say so rather than thank for an answer not stored.
              if (res.isDuplicate)
                setDone({ title: t('survey.answer.repeat'), sub: t('survey.answer.alreadySubmittedHint') });
              else setDone({ title: t('survey.answer.thanks'), sub: def.thankYou ?? '' });
            } catch (err) {
              const fields = fieldErrors(err, i18n.language);
              setServerErrors(
                Object.fromEntries(
                  fields.filter((f) => f.name[0] === 'answers').map((f) => [String(f.name[1]), f.errors[0] ?? '']),
                ),
              );
              if (err instanceof ApiError && err.status === 410)
                setDone({ title: t('survey.answer.thanks'), sub: errorText(err, i18n.language) });
              // One response per browser: this device already answered with other answers.
              else if (err instanceof ApiError && err.code === 'IDEMPOTENCY_KEY_REUSED')
                setDone({ title: t('survey.answer.alreadyAnswered'), sub: '' });
              else setFailure(errorText(err, i18n.language));
            }
          }}
        />
      </>
    );
  }
  return (
    <div className="hf-page" style={{ minHeight: '100vh', background: '#f5f7fa', fontSize: 15 }}>
      <div
        style={{ maxWidth: 560, margin: '0 auto', padding: '16px 16px 40px', background: '#fff', minHeight: '100vh' }}
        data-testid="answer-page"
      >
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <LangSwitch />
        </div>
        {body}
      </div>
    </div>
  );
}
