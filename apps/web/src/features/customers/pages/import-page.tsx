import { InboxOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TImportJob, TImportUpload } from '@huifang/shared';
import {
  Alert,
  App,
  Button,
  Card,
  Progress,
  Radio,
  Result,
  Select,
  Space,
  Steps,
  Table,
  TreeSelect,
  Typography,
  Upload,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, post, qs, upload } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { useMe } from '../../auth/api.ts';
import { buildTree, useUnits } from '../../org/api.ts';
import { CUSTOMERS_KEY, useCustomFields } from '../api.ts';
import { DownloadButton } from '../../../lib/download-button.tsx';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Import wizard: upload → map columns and preview → background job with a progress bar → result and error report. */
export function ImportPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const me = useMe().data;
  const units = useUnits().data ?? [];
  const tree = useMemo(() => buildTree(units), [units]);
  const defs = useCustomFields().data ?? [];
  const [encoding, setEncoding] = useState<'auto' | 'utf-8' | 'gb18030'>('auto');
  const [uploaded, setUploaded] = useState<TImportUpload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [upsertKey, setUpsertKey] = useState<'phone' | 'idNumber' | 'none'>('phone');
  const [unitId, setUnitId] = useState<string | undefined>(me?.user.unitId);
  const [jobId, setJobId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const job = useQuery({
    queryKey: ['import', jobId],
    enabled: !!jobId,
    queryFn: () => get<TImportJob>(`/customer-imports/${jobId}`),
    refetchInterval: (q) => (q.state.data && ['done', 'failed'].includes(q.state.data.status) ? false : 800),
  });
  const fieldLabel = (f: string) =>
    f.startsWith('custom.')
      ? (defs.find((d) => `custom.${d.key}` === f)?.label ?? f)
      : t(`importField.${f}`, { defaultValue: f });

  const onFile = async (file: File) => {
    setBusy(true);
    try {
      const isXlsx = file.name.toLowerCase().endsWith('.xlsx');
      const res = await upload<TImportUpload>(
        `/customer-imports${qs({ fileName: file.name, encoding: encoding === 'auto' ? undefined : encoding })}`,
        file,
        isXlsx ? XLSX_TYPE : 'text/csv',
      );
      setUploaded(res);
      setMapping(res.suggestedMapping);
    } catch (e) {
      void message.error(
        errorText(e, i18n.language) +
          (e instanceof Error && 'details' in e
            ? ` ${(e as { details: { message: string }[] }).details.map((d) => d.message).join('；')}`
            : ''),
      );
    } finally {
      setBusy(false);
    }
    return false;
  };

  const start = async () => {
    if (!uploaded || !unitId) return;
    setBusy(true);
    try {
      const j = await post<TImportJob>(`/customer-imports/${uploaded.job.id}/start`, {
        mapping,
        upsertKey,
        defaultUnitId: unitId,
      });
      setJobId(j.id);
    } catch (e) {
      const details = (e as { details?: { message: string }[] }).details ?? [];
      void message.error([errorText(e, i18n.language), ...details.map((d) => d.message)].join('：'));
    } finally {
      setBusy(false);
    }
  };

  const current = jobId ? 2 : uploaded ? 1 : 0;
  const j = job.data;
  const finished = j && ['done', 'failed'].includes(j.status);
  if (finished) void qc.invalidateQueries({ queryKey: CUSTOMERS_KEY });

  return (
    <Card title={t('import.title')}>
      <Steps
        current={current}
        style={{ marginBottom: 24 }}
        items={[{ title: t('import.stepUpload') }, { title: t('import.stepMap') }, { title: t('import.stepRun') }]}
      />
      {current === 0 && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space>
            <Typography.Text>{t('import.encoding')}</Typography.Text>
            <Select
              value={encoding}
              onChange={setEncoding}
              style={{ width: 200 }}
              options={[
                { value: 'auto', label: t('import.auto') },
                { value: 'utf-8', label: 'UTF-8' },
                { value: 'gb18030', label: 'GBK / GB18030' },
              ]}
            />
          </Space>
          <Upload.Dragger
            accept=".csv,.xlsx"
            showUploadList={false}
            beforeUpload={(f) => {
              void onFile(f);
              return false;
            }}
            disabled={busy}
            data-testid="import-upload"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p>{t('import.drop')}</p>
            <p className="ant-upload-hint">{t('import.hint')}</p>
          </Upload.Dragger>
        </Space>
      )}
      {current === 1 && uploaded && (
        <Space direction="vertical" style={{ width: '100%' }} size="large">
          <Alert
            type="info"
            showIcon
            message={t('import.detected', {
              rows: uploaded.job.totalRows,
              encoding: uploaded.job.encoding,
              format: uploaded.job.format,
            })}
          />
          <Table
            size="small"
            pagination={false}
            rowKey="header"
            dataSource={uploaded.headers.map((h, i) => ({
              header: h,
              sample: uploaded.preview
                .slice(0, 3)
                .map((r) => r[i] ?? '')
                .join(' | '),
            }))}
            columns={[
              { title: t('import.column'), dataIndex: 'header', width: 180 },
              { title: t('import.sample'), dataIndex: 'sample', ellipsis: true },
              {
                title: t('import.field'),
                width: 220,
                render: (_: unknown, r: { header: string }) => (
                  <Select
                    allowClear
                    style={{ width: 200 }}
                    value={mapping[r.header]}
                    placeholder={t('import.ignore')}
                    data-testid={`map-${r.header}`}
                    onChange={(v?: string) =>
                      setMapping((m) => {
                        const n = { ...m };
                        if (v) n[r.header] = v;
                        else delete n[r.header];
                        return n;
                      })
                    }
                    options={uploaded.fields.map((f) => ({ value: f, label: fieldLabel(f) }))}
                  />
                ),
              },
            ]}
          />
          <Space wrap>
            <Typography.Text>{t('import.upsertKey')}</Typography.Text>
            <Radio.Group
              value={upsertKey}
              onChange={(e) => setUpsertKey(e.target.value as typeof upsertKey)}
              options={[
                { value: 'phone', label: t('import.byPhone') },
                { value: 'idNumber', label: t('import.byId') },
                { value: 'none', label: t('import.insertOnly') },
              ]}
            />
            <Typography.Text>{t('import.defaultUnit')}</Typography.Text>
            <TreeSelect
              style={{ width: 220 }}
              treeData={tree}
              value={unitId}
              onChange={setUnitId}
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
            />
          </Space>
          <Space>
            <Button onClick={() => setUploaded(null)}>{t('import.back')}</Button>
            <Button type="primary" loading={busy} onClick={() => void start()} data-testid="import-start">
              {t('import.start')}
            </Button>
          </Space>
        </Space>
      )}
      {current === 2 && j && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Progress
            data-testid="import-progress"
            percent={j.totalRows ? Math.floor((j.processedRows / j.totalRows) * 100) : 0}
            status={j.status === 'failed' ? 'exception' : finished ? 'success' : 'active'}
          />
          {finished && (
            <Result
              status={j.status === 'failed' ? 'error' : j.errorRows ? 'warning' : 'success'}
              title={
                j.status === 'failed'
                  ? j.errorMessage
                  : t('import.done', { inserted: j.insertedRows, updated: j.updatedRows, errors: j.errorRows })
              }
              extra={[
                j.errorRows > 0 && (
                  <DownloadButton key="e" url={`/customer-imports/${j.id}/errors.xlsx`} data-testid="import-errors">
                    {t('import.downloadErrors')}
                  </DownloadButton>
                ),
                <Link key="l" to="/customers">
                  <Button type="primary">{t('import.toList')}</Button>
                </Link>,
              ]}
            />
          )}
        </Space>
      )}
    </Card>
  );
}
