import { Card, Col, Row, Statistic } from 'antd';
import { useTranslation } from 'react-i18next';
import { usePlanMessageStats } from '../../messaging/api.ts';

const KEYS = ['queued', 'sent', 'delivered', 'undelivered', 'blocked', 'failed'] as const;

/** 自动发送 figures of a plan (messages by outcome), beside its KPIs; nothing when the plan sent none. */
export function PlanMessageStats({ planId }: { planId: string | undefined }) {
  const { t } = useTranslation();
  const stats = usePlanMessageStats(planId).data;
  if (!stats || KEYS.every((k) => stats[k] === 0)) return null;
  return (
    <Card size="small" title={t('followup.automsg.stats')} data-testid="plan-message-stats">
      <Row gutter={12}>
        {KEYS.map((k) => (
          <Col key={k} xs={8} md={4}>
            <Statistic title={t(`followup.automsg.${k}`)} value={stats[k]} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}
