import { SURVEY_TEMPLATES, type TSurvey } from '@huifang/shared';
import { App, Button, Card, Dropdown, Input, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { can, useMe } from '../../auth/api.ts';
import { createSurvey, useSurveyMutation, useSurveys } from '../api.ts';
import { blankDefinition } from '../components/blank.ts';

export const STATUS_COLOR: Record<TSurvey['status'], string> = {
  draft: 'default',
  published: 'green',
  closed: 'orange',
};

/** 问卷列表: every survey the user may see; new from scratch or from a shipped template 从模板新建 (consumer goods, bank hall, hospital follow-up). */
export function SurveysPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const me = useMe().data;
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const list = useSurveys({ page, pageSize: 20, ...(q ? { q } : {}) });
  const create = useSurveyMutation(createSurvey);
  const make = async (body: Parameters<typeof createSurvey>[0]) => {
    try {
      const s = await create.mutateAsync(body);
      void navigate(`/surveys/${s.id}`);
    } catch (err) {
      void message.error(errorText(err, i18n.language));
    }
  };
  return (
    <Card
      title={t('survey.title')}
      extra={
        can(me, 'survey:write') && (
          <Space>
            <Dropdown
              trigger={['click']}
              menu={{
                items: SURVEY_TEMPLATES.map((k) => ({
                  key: k,
                  label: <span data-testid={`survey-template-${k}`}>{t(`survey.templates.${k}`)}</span>,
                })),
                onClick: ({ key }) => void make({ template: key as (typeof SURVEY_TEMPLATES)[number] }),
              }}
            >
              <Button loading={create.isPending} data-testid="survey-from-template">
                {t('survey.fromTemplate')}
              </Button>
            </Dropdown>
            <Button
              type="primary"
              onClick={() => void make({ definition: blankDefinition(t) })}
              loading={create.isPending}
              data-testid="survey-new"
            >
              {t('survey.new')}
            </Button>
          </Space>
        )
      }
    >
      <Input.Search
        placeholder={t('survey.search')}
        allowClear
        onSearch={(v) => {
          setQ(v);
          setPage(1);
        }}
        style={{ width: 260, marginBottom: 16 }}
      />
      <Table<TSurvey>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: 20,
          total: list.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
        }}
        columns={[
          {
            title: t('survey.name'),
            dataIndex: 'title',
            render: (v: string, r) => <Link to={`/surveys/${r.id}`}>{v}</Link>,
          },
          { title: t('survey.unit'), dataIndex: 'unitName' },
          {
            title: t('survey.status'),
            dataIndex: 'status',
            render: (v: TSurvey['status']) => <Tag color={STATUS_COLOR[v]}>{t(`survey.statuses.${v}`)}</Tag>,
          },
          { title: t('survey.version'), render: (_, r) => `v${r.publishedVersion ?? '-'} / v${r.latestVersion}` },
          { title: t('survey.responses'), dataIndex: 'responseCount', align: 'right' },
          { title: t('survey.invitations'), dataIndex: 'invitationCount', align: 'right' },
          { title: t('survey.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => fmtTime(v) },
          {
            title: '',
            render: (_, r) => (
              <Space>
                <Link to={`/surveys/${r.id}`}>{t('survey.design')}</Link>
                <Link to={`/surveys/${r.id}/results`}>{t('survey.results')}</Link>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
