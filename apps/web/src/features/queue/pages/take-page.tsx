import type { TQueuePublicTicket } from '@huifang/shared';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { takeTicket, useQueueBoard } from '../api.ts';
import { PhoneTicket } from '../components/phone-ticket.tsx';
import {
  Alert,
  Button,
  Card,
  LangSwitch,
  Loading,
  Result,
  Segments,
  TextInput,
} from '../../../lib/phone-ui/phone-ui.tsx';

const SLIP_MS = 8000;
const storeKey = (token: string) => `hf.queue.${token}`;
/** What a customer may give to be recognised (a VIP tier then goes first): the field of the take request. */
const KEYS = ['phone', 'cardNumber', 'idNumber'] as const;
type TKey = (typeof KEYS)[number];

/**
 * 取号 (public, no login): `screen` is the touch screen at the door (big buttons, the slip shows for a few seconds),
 * `phone` the page behind the outlet's QR code (the ticket then stays on the phone and follows the queue). On both,
 * the customer may give a phone, card 卡号 or ID number 身份证号 to be recognised; an unknown one still takes a number.
 */
export function TakePage({ mode }: { mode: 'screen' | 'phone' }) {
  const { t, i18n } = useTranslation();
  const { token = '' } = useParams();
  const board = useQueueBoard(token);
  const [slip, setSlip] = useState<TQueuePublicTicket | null>(null);
  const [keyKind, setKeyKind] = useState<TKey>('phone');
  const [keyValue, setKeyValue] = useState('');
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
        { typeId, channel: mode, ...(keyValue.trim() ? { [keyKind]: keyValue.trim() } : {}) },
        crypto.randomUUID(),
      );
      if (mode === 'phone') {
        localStorage.setItem(storeKey(token), ticket.id);
        setMine(ticket.id);
      } else setSlip(ticket);
      setKeyValue('');
      void board.refetch();
    } catch (e) {
      // A malformed phone, card or ID number: say which, so the customer can correct it.
      const field = e instanceof ApiError ? e.details[0]?.path?.replace(/^body\./, '') : undefined;
      setError(
        field && (KEYS as readonly string[]).includes(field)
          ? t(`queue.take.bad.${field}`)
          : errorText(e, i18n.language),
      );
    } finally {
      setBusy(null);
    }
  };

  if (board.isLoading) return <Loading fullscreen />;
  if (!board.data)
    return (
      <div className="hf-page">
        <Result status="404" title={t('queue.take.badLink')} />
      </div>
    );
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
    <div className="hf-page" style={{ maxWidth: big ? 1100 : 480, margin: '0 auto', padding: big ? 32 : 16 }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
        {big ? (
          <h1 style={{ margin: 0 }} data-testid="take-outlet">
            {b.outletName} · {t('queue.take.title')}
          </h1>
        ) : (
          <h3 style={{ margin: 0 }} data-testid="take-outlet">
            {b.outletName} · {t('queue.take.title')}
          </h3>
        )}
        <LangSwitch />
      </div>
      {!b.isOpen && (
        <Alert
          style={{ marginTop: 16 }}
          type="warning"
          message={t('queue.take.closed', { opens: b.opensAt, closes: b.closesAt })}
        />
      )}
      {error && <Alert style={{ marginTop: 16 }} type="error" message={error} testId="take-error" />}
      {slip ? (
        <Card style={{ marginTop: 24, textAlign: 'center', padding: 12 }} testId="take-slip">
          <span style={{ fontSize: 24 }}>{t('queue.take.yourNumber')}</span>
          <div style={{ fontSize: 96, fontWeight: 700 }} data-testid="take-number">
            {slip.number}
          </div>
          <p style={{ fontSize: 22 }}>
            {slip.typeName} · {t('queue.take.ahead', { n: slip.ahead })} ·{' '}
            {t('queue.take.estimate', { m: slip.estimatedWaitMinutes })}
          </p>
          <Button size="large" onClick={() => setSlip(null)}>
            {t('queue.take.done')}
          </Button>
        </Card>
      ) : (
        <>
          <Segments
            name="take-key"
            size={big ? 'large' : 'medium'}
            style={{ marginTop: 16 }}
            options={[...KEYS]}
            value={keyKind}
            label={(k) => t(`queue.take.by.${k}`)}
            onChange={(k) => {
              setKeyKind(k);
              setKeyValue('');
              setError(null);
            }}
          />
          <TextInput
            style={{ marginTop: 8 }}
            size={big ? 'large' : undefined}
            inputMode={keyKind === 'idNumber' ? 'text' : keyKind === 'phone' ? 'tel' : 'numeric'}
            testId="take-phone"
            placeholder={t(`queue.take.hint.${keyKind}`)}
            value={keyValue}
            onChange={setKeyValue}
          />
          <div style={{ display: 'grid', gridTemplateColumns: big ? '1fr 1fr' : '1fr', gap: 16, marginTop: 16 }}>
            {b.types.map((x) => (
              <div key={x.id}>
                <Button
                  block
                  type="primary"
                  testId={`take-${x.prefix}`}
                  disabled={!b.isOpen || busy !== null}
                  loading={busy === x.id}
                  style={{ height: big ? 160 : 88, whiteSpace: 'normal', flexWrap: 'wrap', columnGap: 8 }}
                  onClick={() => void take(x.id)}
                >
                  <div style={{ fontSize: big ? 36 : 22, fontWeight: 600 }}>{x.name}</div>
                  <div style={{ fontSize: big ? 20 : 14 }}>
                    {t('queue.take.waiting', { n: x.waiting })} ·{' '}
                    {t('queue.take.estimate', { m: x.estimatedWaitMinutes })}
                  </div>
                </Button>
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
