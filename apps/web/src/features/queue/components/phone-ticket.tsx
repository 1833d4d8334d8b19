import { Alert, Button, Card, Result, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { usePublicTicket } from '../api.ts';

/** Within this many people ahead, the phone page tells the customer to come back to the hall. */
export const NEAR_AHEAD = 3;

/** The customer's own ticket on the phone: people ahead, "3 ahead" notice, and the counter when called. */
export function PhoneTicket({ id, onForget }: { id: string; onForget: () => void }) {
  const { t } = useTranslation();
  const q = usePublicTicket(id);
  if (q.isLoading) return <Spin fullscreen />;
  const x = q.data;
  if (!x)
    return (
      <Result
        status="404"
        title={t('queue.take.badLink')}
        extra={<Button onClick={onForget}>{t('queue.take.again')}</Button>}
      />
    );
  return (
    <div style={{ maxWidth: 480, margin: '0 auto', padding: 16 }}>
      <Card style={{ textAlign: 'center' }} data-testid="phone-ticket">
        <Typography.Text type="secondary">
          {x.outletName} · {x.typeName}
        </Typography.Text>
        <div style={{ fontSize: 72, fontWeight: 700 }} data-testid="phone-number">
          {x.number}
        </div>
        {x.status === 'called' && (
          <Alert
            type="success"
            showIcon
            data-testid="phone-called"
            message={t('queue.phone.called', { counter: x.counterName ?? '' })}
          />
        )}
        {x.status === 'waiting' && (
          <>
            <Typography.Paragraph style={{ fontSize: 18 }} data-testid="phone-ahead">
              {t('queue.take.ahead', { n: x.ahead })} · {t('queue.take.estimate', { m: x.estimatedWaitMinutes })}
            </Typography.Paragraph>
            {x.ahead <= NEAR_AHEAD && (
              <Alert type="warning" showIcon data-testid="phone-near" message={t('queue.phone.near', { n: x.ahead })} />
            )}
          </>
        )}
        {x.status === 'no_show' && <Alert type="error" message={t('queue.phone.noShow')} />}
        <Button style={{ marginTop: 16 }} onClick={onForget}>
          {t('queue.take.again')}
        </Button>
      </Card>
    </div>
  );
}
