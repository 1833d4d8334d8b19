import { Col, Row, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

const asRecord = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

/** Before / after side by side; on an update the changed keys are highlighted. A missing side (create, delete) shows —. */
export function DiffView({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const b = asRecord(before);
  const a = asRecord(after);
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  if (keys.length === 0) return null;
  const isUpdate = !!b && !!a;
  const side = (title: string, rec: Record<string, unknown> | null, testId: string) => (
    <Col span={12} data-testid={testId}>
      <Typography.Title level={5}>{title}</Typography.Title>
      {rec ? (
        keys.map((k) => {
          const changed = isUpdate && show(b[k]) !== show(a[k]);
          return (
            <div
              key={k}
              data-changed={changed || undefined}
              style={{
                fontFamily: 'monospace',
                fontSize: 12,
                background: changed ? '#fff1b8' : undefined,
                padding: '1px 4px',
                wordBreak: 'break-all',
              }}
            >
              <span style={{ color: '#8c8c8c' }}>{k}:</span> {show(rec[k])}
            </div>
          );
        })
      ) : (
        <Typography.Text type="secondary">—</Typography.Text>
      )}
    </Col>
  );
  return (
    <Row gutter={16} style={{ marginTop: 16 }} data-testid="audit-diff">
      {side(t('audit.before'), b, 'audit-before')}
      {side(t('audit.after'), a, 'audit-after')}
    </Row>
  );
}
