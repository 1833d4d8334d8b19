import { ZValueConfig, type TValueConfig } from '@huifang/shared';
import { App, Button, Card, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { can, useMe } from '../../auth/api.ts';
import { previewValueConfig, useSaveValueConfig, useValueConfig, type TPreviewRow } from '../api.ts';
import { ChurnPanel } from '../components/churn-panel.tsx';
import { OtherModels } from '../components/other-models.tsx';
import { RuleClassesEditor } from '../components/rule-classes-editor.tsx';
import { RunsPanel } from '../components/runs-panel.tsx';
import { WeightedEditor } from '../components/weighted-editor.tsx';

/** 客户分级: the versioned models with a live preview, recompute runs, churn warnings. */
export function ValuePage() {
  const { t } = useTranslation();
  const me = useMe().data;
  const canManage = can(me, 'value:manage');
  const current = useValueConfig();
  const [draft, setDraft] = useState<TValueConfig | null>(null);
  useEffect(() => {
    if (current.data && !draft) setDraft(current.data.config);
  }, [current.data, draft]);
  return (
    <Card title={t('value.title')}>
      <Tabs
        items={[
          ...(canManage
            ? [
                {
                  key: 'models',
                  label: t('value.tabModels'),
                  children:
                    draft && current.data ? (
                      <ModelsTab version={current.data.version} draft={draft} onChange={setDraft} />
                    ) : null,
                },
              ]
            : []),
          {
            key: 'runs',
            label: t('value.tabRuns'),
            children: (
              <RunsPanel
                canManage={canManage}
                scheduleDay={current.data?.config.scheduleDay ?? null}
                tierLabels={Object.fromEntries(
                  (current.data?.config.percentile.cuts ?? []).map((c) => [c.key, c.label]),
                )}
              />
            ),
          },
          { key: 'churn', label: t('value.tabChurn'), children: <ChurnPanel /> },
        ]}
      />
    </Card>
  );
}

function ModelsTab(props: { version: number; draft: TValueConfig; onChange: (c: TValueConfig) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const save = useSaveValueConfig();
  const [preview, setPreview] = useState<TPreviewRow[] | null>(null);
  const [loading, setLoading] = useState(false);
  const { draft } = props;
  const isValid = ZValueConfig.safeParse(draft).success;
  const runPreview = async () => {
    setLoading(true);
    try {
      setPreview(await previewValueConfig(draft));
    } catch (e) {
      void message.error(errorText(e, i18n.language));
    } finally {
      setLoading(false);
    }
  };
  const classLabel = (k: string | null) => draft.ruleClasses.classes.find((c) => c.key === k)?.label ?? '—';
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Text type="secondary" data-testid="value-version">
        {props.version ? t('value.version', { v: props.version }) : t('value.defaults')}
      </Typography.Text>
      <div>
        <Typography.Title level={5}>{t('value.weighted')}</Typography.Title>
        <WeightedEditor value={draft.weighted} onChange={(weighted) => props.onChange({ ...draft, weighted })} />
      </div>
      <div>
        <Typography.Title level={5}>{t('value.ruleClasses')}</Typography.Title>
        <RuleClassesEditor
          value={draft.ruleClasses}
          onChange={(ruleClasses) => props.onChange({ ...draft, ruleClasses })}
        />
      </div>
      <div>
        <Typography.Title level={5}>{t('value.otherModels')}</Typography.Title>
        <OtherModels value={draft} onChange={props.onChange} />
      </div>
      <Space>
        <Button data-testid="value-preview" loading={loading} disabled={!isValid} onClick={() => void runPreview()}>
          {t('value.preview')}
        </Button>
        <Button
          type="primary"
          data-testid="value-save"
          loading={save.isPending}
          disabled={!isValid}
          onClick={() =>
            save.mutate(draft, {
              onSuccess: (r) => void message.success(t('value.saved', { v: r.version })),
              onError: (e) => void message.error(errorText(e, i18n.language)),
            })
          }
        >
          {t('value.save')}
        </Button>
        <Typography.Text type="secondary">{t('value.previewHint')}</Typography.Text>
      </Space>
      {preview && (
        <Table<TPreviewRow>
          rowKey="customerId"
          size="small"
          pagination={false}
          dataSource={preview}
          data-testid="value-preview-table"
          columns={[
            { title: t('customer.name'), dataIndex: 'name' },
            { title: t('value.score'), dataIndex: 'score' },
            { title: t('value.ruleClass'), dataIndex: 'ruleClass', render: classLabel },
            {
              title: t('value.lifecycle'),
              dataIndex: 'lifecycle',
              render: (v: string) => t(`value.lifecycles.${v}`),
            },
            { title: t('value.stars'), dataIndex: 'stars', render: (n: number) => '★'.repeat(n) || '—' },
            {
              title: t('value.churn'),
              dataIndex: 'churn',
              render: (v: string | null) => (v ? <Tag color="volcano">{t(`value.reasons.${v}`)}</Tag> : '—'),
            },
          ]}
        />
      )}
    </Space>
  );
}
