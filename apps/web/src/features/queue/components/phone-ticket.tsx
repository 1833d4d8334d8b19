import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, LangSwitch, Loading, Result } from '../../../lib/phone-ui/phone-ui.tsx';
import { usePublicTicket } from '../api.ts';

/** Within this many people ahead, the phone page tells the customer to come back to the hall. */
export const NEAR_AHEAD = 3;

/** The customer's own ticket on the phone: people ahead, "3 ahead" notice, and the counter when called. */
export function PhoneTicket({ id, onForget }: { id: string; onForget: () => void }) {
  const { t } = useTranslation();
  const q = usePublicTicket(id);
  if (q.isLoading) return <Loading fullscreen />;
  const x = q.data;
  if (!x)
    return (
      <div className="hf-page">
        <Result
          status="404"
          title={t('queue.take.badLink')}
          extra={<Button onClick={onForget}>{t('queue.take.again')}</Button>}
        />
      </div>
    );
  return (
    <div className="hf-page" style={{ maxWidth: 480, margin: '0 auto', padding: 16 }}>
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 8 }}>
        <LangSwitch />
      </div>
      <Card style={{ textAlign: 'center', padding: 12 }} testId="phone-ticket">
        <span className="hf-secondary">
          {x.outletName} · {x.typeName}
        </span>
        <div style={{ fontSize: 72, fontWeight: 700 }} data-testid="phone-number">
          {x.number}
        </div>
        {x.status === 'called' && (
          <Alert
            type="success"
            showIcon
            testId="phone-called"
            message={t('queue.phone.called', { counter: x.counterName ?? '' })}
          />
        )}
        {x.status === 'waiting' && (
          <>
            <p style={{ fontSize: 18 }} data-testid="phone-ahead">
              {t('queue.take.ahead', { n: x.ahead })} · {t('queue.take.estimate', { m: x.estimatedWaitMinutes })}
            </p>
            {x.ahead <= NEAR_AHEAD && (
              <Alert type="warning" showIcon testId="phone-near" message={t('queue.phone.near', { n: x.ahead })} />
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
