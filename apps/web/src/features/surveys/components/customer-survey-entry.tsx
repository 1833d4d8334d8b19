import type { TPage, TSurvey, TSurveyDefinition } from '@huifang/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, qs } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { staffResponse } from '../api.ts';
import { AnswerForm } from './answer-form.tsx';

/**
 * 代客户填写 from the customer 360 page: pick a published survey, answer it on the customer's behalf (e.g. during a
 * phone call). Stored with channel 'staff', source 'user' (POST /api/surveys/:id/responses).
 */
export function CustomerSurveyEntry({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [survey, setSurvey] = useState<TSurvey>();
  const list = useQuery({
    queryKey: ['surveys', 'published'],
    queryFn: () => get<TPage<TSurvey>>(`/surveys${qs({ status: 'published', pageSize: 100 })}`),
    enabled: open,
  });
  const def = useQuery({
    queryKey: ['surveys', survey?.id, 'v', survey?.publishedVersion],
    queryFn: () =>
      get<{ definition: TSurveyDefinition }>(`/surveys/${survey!.id}/versions/${survey!.publishedVersion}`),
    enabled: Boolean(survey?.publishedVersion),
  });
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="customer-survey-entry">
        {t('survey.staffEntry')}
      </Button>
      <Modal
        open={open}
        title={t('survey.staffEntry')}
        onCancel={() => setOpen(false)}
        footer={null}
        width={560}
        destroyOnHidden
      >
        <Select
          style={{ width: '100%', marginBottom: 16 }}
          placeholder={t('survey.pickSurvey')}
          loading={list.isLoading}
          value={survey?.id}
          onChange={(id: string) => setSurvey(list.data?.items.find((s) => s.id === id))}
          options={(list.data?.items ?? []).map((s) => ({ value: s.id, label: s.title }))}
        />
        {survey && def.data && (
          <AnswerForm
            key={survey.id}
            definition={def.data.definition}
            submitLabel={t('survey.saveEntry')}
            onSubmit={async (answers) => {
              try {
                await staffResponse(survey.id, customerId, answers);
                void message.success(t('survey.entrySaved'));
                setOpen(false);
                setSurvey(undefined);
                await qc.invalidateQueries();
              } catch (err) {
                void message.error(errorText(err, i18n.language));
              }
            }}
          />
        )}
      </Modal>
    </>
  );
}
