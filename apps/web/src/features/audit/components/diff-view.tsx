import { Col, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Before / after side by side; changed keys highlighted. */
export function DiffView({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const b = asRecord(before);
  const a = asRecord(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  if (keys.length === 0) return null;
  const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
  const line = (k: string, v: unknown, changed: boolean) => (
    <div key={k} style={{ fontFamily: 'monospace', fontSize: 12, background: changed ? '#fff7e6' : undefined, padding: '1px 4px', wordBreak: 'break-all' }}>
      {k}: {show(v)}
    </div>
  );
  return (
    <Row gutter={16} style={{ marginTop: 16 }} data-testid="audit-diff">
      <Col span={12}>
        <Typography.Title level={5}>{t('audit.before')}</Typography.Title>
        {keys.map((k) => line(k, b[k], show(b[k]) !== show(a[k])))}
      </Col>
      <Col span={12}>
        <Typography.Title level={5}>{t('audit.after')}</Typography.Title>
        {keys.map((k) => line(k, a[k], show(b[k]) !== show(a[k])))}
      </Col>
    </Row>
  );
}
