import type { TSavedFilter, TSurveyDetail } from '@huifang/shared';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, InputNumber, Modal, Radio, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { inviteCustomers, openLink, personalLink, staffResponse, useSurveyMutation } from '../api.ts';
import { AnswerForm } from './answer-form.tsx';
import { CustomerPicker } from './customer-picker.tsx';

const answerUrl = (token: string) => `${window.location.origin}/s/${token}`;

/** 发放: open link, single-use personal links, e-mail invitations with reminders, and staff entry 代客户填写. */
export function DistributionCard({
  survey,
  canWrite,
  canEnter,
}: {
  survey: TSurveyDetail;
  canWrite: boolean;
  canEnter: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const published = survey.status === 'published';
  const open = useSurveyMutation(() => openLink(survey.id));
  const [personal, setPersonal] = useState<{ customerId?: string; url?: string; busy?: boolean }>({});
  const [inviteOpen, setInviteOpen] = useState(false);
  const [entryOpen, setEntryOpen] = useState(false);
  const fail = (err: unknown) => void message.error(errorText(err, i18n.language));

  return (
    <Card title={t('survey.distribute')} size="small">
      {!published && <Alert type="info" showIcon message={t('survey.publishFirst')} style={{ marginBottom: 12 }} />}
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <div>
          <Typography.Text strong>{t('survey.openLink')}</Typography.Text>
          <div>
            {survey.openToken ? (
              <Typography.Text copyable data-testid="open-link">
                {answerUrl(survey.openToken)}
              </Typography.Text>
            ) : (
              canWrite && (
                <Button
                  size="small"
                  data-testid="open-link-create"
                  onClick={() => open.mutateAsync(undefined).catch(fail)}
                >
                  {t('survey.makeOpenLink')}
                </Button>
              )
            )}
          </div>
        </div>
        {canWrite && (
          <div>
            <Typography.Text strong>{t('survey.personalLink')}</Typography.Text>
            <Space.Compact style={{ width: '100%', marginTop: 4 }}>
              <CustomerPicker
                testId="personal-customer"
                value={personal.customerId}
                onChange={(v) => setPersonal({ customerId: v as string })}
              />
              <Button
                type="primary"
                disabled={!personal.customerId || !published}
                loading={personal.busy}
                data-testid="personal-create"
                onClick={async () => {
                  setPersonal((p) => ({ ...p, busy: true }));
                  try {
                    const l = await personalLink(survey.id, personal.customerId!, 30);
                    setPersonal((p) => ({ ...p, url: answerUrl(l.token), busy: false }));
                  } catch (err) {
                    setPersonal((p) => ({ ...p, busy: false }));
                    fail(err);
                  }
                }}
              >
                {t('survey.makeLink')}
              </Button>
            </Space.Compact>
            {personal.url && (
              <Alert
                style={{ marginTop: 8 }}
                type="success"
                message={t('survey.linkOnce')}
                description={
                  <Typography.Text copyable data-testid="personal-link">
                    {personal.url}
                  </Typography.Text>
                }
              />
            )}
          </div>
        )}
        <Space wrap>
          {canWrite && (
            <Button disabled={!published} onClick={() => setInviteOpen(true)} data-testid="invite-open">
              {t('survey.invite')}
            </Button>
          )}
          {canEnter && (
            <Button disabled={!published} onClick={() => setEntryOpen(true)} data-testid="entry-open">
              {t('survey.staffEntry')}
            </Button>
          )}
        </Space>
      </Space>
      {inviteOpen && <InviteModal surveyId={survey.id} onClose={() => setInviteOpen(false)} />}
      {entryOpen && <StaffEntryModal survey={survey} onClose={() => setEntryOpen(false)} />}
    </Card>
  );
}

function InviteModal({ surveyId, onClose }: { surveyId: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{
    mode: 'list' | 'filter';
    customerIds?: string[];
    savedFilterId?: string;
    remindAfterDays: number | null;
    expiresInDays: number;
  }>();
  const mode = Form.useWatch('mode', form);
  const filters = useQuery({
    queryKey: ['saved-filters'],
    queryFn: () => get<{ items: TSavedFilter[] }>('/saved-filters'),
  });
  const invite = useSurveyMutation((v: Parameters<typeof inviteCustomers>[1]) => inviteCustomers(surveyId, v));
  return (
    <Modal
      open
      title={t('survey.invite')}
      onCancel={onClose}
      confirmLoading={invite.isPending}
      onOk={async () => {
        const v = form.getFieldsValue();
        try {
          const r = await invite.mutateAsync({
            ...(v.mode === 'filter' ? { savedFilterId: v.savedFilterId } : { customerIds: v.customerIds }),
            remindAfterDays: v.remindAfterDays ?? null,
            expiresInDays: v.expiresInDays,
          });
          void message.success(t('survey.invited', { n: r.invited, skipped: r.skippedNoEmail }));
          if (!r.smtpConfigured) void message.warning(t('survey.noSmtp'));
          onClose();
        } catch (err) {
          void message.error(errorText(err, i18n.language));
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ mode: 'list', remindAfterDays: 3, expiresInDays: 14 }}>
        <Form.Item name="mode">
          <Radio.Group
            options={[
              { value: 'list', label: t('survey.inviteList') },
              { value: 'filter', label: t('survey.inviteFilter') },
            ]}
          />
        </Form.Item>
        {mode === 'filter' ? (
          <Form.Item name="savedFilterId" label={t('survey.savedFilter')}>
            <Select options={(filters.data?.items ?? []).map((f) => ({ value: f.id, label: f.name }))} />
          </Form.Item>
        ) : (
          <Form.Item name="customerIds" label={t('survey.customers')}>
            <CustomerPicker multiple />
          </Form.Item>
        )}
        <Space>
          <Form.Item name="remindAfterDays" label={t('survey.remindAfter')}>
            <InputNumber min={1} max={60} addonAfter={t('survey.days')} />
          </Form.Item>
          <Form.Item name="expiresInDays" label={t('survey.expiresIn')}>
            <InputNumber min={1} max={365} addonAfter={t('survey.days')} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

function StaffEntryModal({ survey, onClose }: { survey: TSurveyDetail; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [customerId, setCustomerId] = useState<string>();
  const published = useQuery({
    queryKey: ['surveys', survey.id, 'v', survey.publishedVersion],
    queryFn: () =>
      get<{ definition: TSurveyDetail['definition'] }>(`/surveys/${survey.id}/versions/${survey.publishedVersion}`),
  });
  return (
    <Modal open title={t('survey.staffEntry')} onCancel={onClose} footer={null} width={560}>
      <CustomerPicker value={customerId} onChange={(v) => setCustomerId(v as string)} />
      <div style={{ marginTop: 16 }}>
        {published.data && customerId && (
          <AnswerForm
            definition={published.data.definition}
            submitLabel={t('survey.saveEntry')}
            onSubmit={async (answers) => {
              try {
                await staffResponse(survey.id, customerId, answers);
                void message.success(t('survey.entrySaved'));
                onClose();
              } catch (err) {
                void message.error(errorText(err, i18n.language));
              }
            }}
          />
        )}
      </div>
    </Modal>
  );
}
