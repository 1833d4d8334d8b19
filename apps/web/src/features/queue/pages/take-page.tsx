import type { TQueuePublicTicket } from '@huifang/shared';
import { Alert, Button, Card, Col, Input, Result, Row, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { errorText } from '../../../api/error-text.ts';
import { LangSwitch } from '../../auth/components/lang-switch.tsx';
import { takeTicket, useQueueBoard } from '../api.ts';
import { PhoneTicket } from '../components/phone-ticket.tsx';

const SLIP_MS = 8000;
const storeKey = (token: string) => `hf.queue.${token}`;

/**
 * 取号 (public, no login): `screen` is the touch screen at the door (big buttons, the slip shows for a few seconds),
 * `phone` the page behind the outlet's QR code (an optional phone number for recognition; the ticket then stays on
 * the phone and follows the queue).
 */
export function TakePage({ mode }: { mode: 'screen' | 'phone' }) {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const board = useQueueBoard(token);
  const [slip, setSlip] = useState<TQueuePublicTicket | null>(null);
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [mine, setMine] = useState<string | null>(() =>
    mode === 'phone' ? localStorage.getItem(storeKey(token)) : null,
  );
  useEffect(() => {
    if (!slip || mode !== 'screen') return;
    const id = setTimeout(() => setSlip(null), SLIP_MS);
    return () => clearTimeout(id);
  }, [slip, mode]);

  const take = async (typeId: string) => {
    setBusy(typeId);
    setError(null);
    try {
      // One key per tap: a retried request (double tap, flaky network) takes one number.
      const ticket = await takeTicket(
        token,
        { typeId, channel: mode, ...(phone.trim() ? { phone: phone.trim() } : {}) },
        crypto.randomUUID(),
      );
      if (mode === 'phone') {
        localStorage.setItem(storeKey(token), ticket.id);
        setMine(ticket.id);
      } else setSlip(ticket);
      setPhone('');
      void board.refetch();
    } catch (e) {
      setError(errorText(e, i18n.language));
    } finally {
      setBusy(null);
    }
  };

  if (board.isLoading) return <Spin fullscreen />;
  if (!board.data) return <Result status="404" title={t('queue.take.badLink')} />;
  const b = board.data;
  const big = mode === 'screen';
  if (mine)
    return (
      <PhoneTicket
        id={mine}
        onForget={() => {
          localStorage.removeItem(storeKey(token));
          setMine(null);
        }}
      />
    );
  return (
    <div style={{ maxWidth: big ? 1100 : 480, margin: '0 auto', padding: big ? 32 : 16 }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={big ? 1 : 3} style={{ margin: 0 }} data-testid="take-outlet">
          {b.outletName} · {t('queue.take.title')}
        </Typography.Title>
        <LangSwitch />
      </Space>
      {!b.isOpen && (
        <Alert
          style={{ marginTop: 16 }}
          type="warning"
          message={t('queue.take.closed', { opens: b.opensAt, closes: b.closesAt })}
        />
      )}
      {error && <Alert style={{ marginTop: 16 }} type="error" message={error} data-testid="take-error" />}
      {slip ? (
        <Card style={{ marginTop: 24, textAlign: 'center' }} data-testid="take-slip">
          <Typography.Text style={{ fontSize: 24 }}>{t('queue.take.yourNumber')}</Typography.Text>
          <div style={{ fontSize: 96, fontWeight: 700 }} data-testid="take-number">
            {slip.number}
          </div>
          <Typography.Paragraph style={{ fontSize: 22 }}>
            {slip.typeName} · {t('queue.take.ahead', { n: slip.ahead })} ·{' '}
            {t('queue.take.estimate', { m: slip.estimatedWaitMinutes })}
          </Typography.Paragraph>
          <Button size="large" onClick={() => setSlip(null)}>
            {t('queue.take.done')}
          </Button>
        </Card>
      ) : (
        <>
          {mode === 'phone' && (
            <Input
              style={{ marginTop: 16 }}
              inputMode="tel"
              data-testid="take-phone"
              placeholder={t('queue.take.phone')}
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          )}
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            {b.types.map((x) => (
              <Col key={x.id} span={big ? 12 : 24}>
                <Button
                  block
                  type="primary"
                  data-testid={`take-${x.prefix}`}
                  disabled={!b.isOpen || busy !== null}
                  loading={busy === x.id}
                  style={{ height: big ? 160 : 88, whiteSpace: 'normal' }}
                  onClick={() => void take(x.id)}
                >
                  <div style={{ fontSize: big ? 36 : 22, fontWeight: 600 }}>{x.name}</div>
                  <div style={{ fontSize: big ? 20 : 14 }}>
                    {t('queue.take.waiting', { n: x.waiting })} ·{' '}
                    {t('queue.take.estimate', { m: x.estimatedWaitMinutes })}
                  </div>
                </Button>
              </Col>
            ))}
          </Row>
        </>
      )}
    </div>
  );
}
