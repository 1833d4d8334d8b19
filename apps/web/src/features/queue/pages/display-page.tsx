import type { TDisplayState, TQueueCall } from '@huifang/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../../api/error-text.ts';
import { speak } from '../../kiosk/speech.ts';
import { pairDisplay, readDisplayState } from '../api.ts';
import { Button, LangSwitch, Loading, Result, TextInput } from '../../../lib/phone-ui/phone-ui.tsx';

/** A call stays on the big banner this long; afterwards the notices 宣传信息 take turns. */
const BANNER_MS = 15_000;
const NOTICE_MS = 8000;

export const callSentence = (c: Pick<TQueueCall, 'number' | 'counterName'>, lang: string) =>
  lang.startsWith('en')
    ? `Number ${c.number}, please go to ${c.counterName}`
    : `请 ${c.number} 号到 ${c.counterName}办理`;

/**
 * 叫号屏 (a TV browser in the hall, paired to the outlet like a kiosk): the number at each counter, each new call shown
 * big and spoken once (a recall is a new call), the last calls, and the outlet's notices between calls.
 */
export function DisplayPage() {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState<TDisplayState | null>(null);
  const [phase, setPhase] = useState<'loading' | 'unpaired' | 'live'>('loading');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [spoken, setSpoken] = useState('');
  const [now, setNow] = useState(Date.now());
  const lastSpoken = useRef<number | null>(null);
  const shownAt = useRef<number>(0);

  const apply = useCallback(
    (s: TDisplayState) => {
      const newest = s.recent[0]?.eventId ?? 0;
      // The first state only sets the mark: calls made before the screen came on are not read out again.
      if (lastSpoken.current === null) lastSpoken.current = newest;
      const fresh = s.recent.filter((c) => c.eventId > (lastSpoken.current ?? 0)).reverse();
      for (const c of fresh) {
        const sentence = callSentence(c, i18n.language);
        speak(sentence, i18n.language.startsWith('en') ? 'en-US' : 'zh-CN');
        setSpoken(sentence);
        shownAt.current = Date.now();
      }
      lastSpoken.current = Math.max(lastSpoken.current, newest);
      setState(s);
    },
    [i18n.language],
  );

  useEffect(() => {
    readDisplayState().then(
      (s) => {
        apply(s);
        setPhase('live');
      },
      () => setPhase('unpaired'),
    );
  }, [apply]);
  useEffect(() => {
    if (phase !== 'live') return;
    const es = new EventSource('/api/queue/display/events');
    es.addEventListener('state', (e) => apply(JSON.parse((e as MessageEvent<string>).data) as TDisplayState));
    es.addEventListener('gone', () => {
      es.close();
      setPhase('unpaired');
    });
    return () => es.close();
  }, [phase, apply]);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);

  if (phase === 'loading') return <Loading fullscreen />;
  if (phase === 'unpaired')
    return (
      <div className="hf-page">
        <div style={{ display: 'flex', justifyContent: 'flex-end', padding: 12 }}>
          <LangSwitch />
        </div>
        <Result
          title={t('queue.display.pairTitle')}
          extra={
            <div style={{ maxWidth: 320, margin: '0 auto' }}>
              <TextInput
                testId="display-code"
                size="large"
                value={code}
                placeholder="XXXX-XXXX"
                onChange={setCode}
                onPressEnter={() =>
                  pairDisplay(code).then(
                    () => window.location.reload(),
                    (e: unknown) => setError(errorText(e, i18n.language)),
                  )
                }
              />
              {error && <span className="hf-danger">{error}</span>}
            </div>
          }
        />
      </div>
    );
  const s = state!;
  const latest = s.recent[0];
  const showBanner = latest && now - shownAt.current < BANNER_MS;
  const notice = s.notices.length ? s.notices[Math.floor(now / NOTICE_MS) % s.notices.length] : null;
  return (
    <div
      data-testid="display"
      data-spoken={spoken}
      style={{ minHeight: '100vh', background: '#0b2545', color: '#fff', padding: 32, display: 'flex', gap: 32 }}
    >
      <div style={{ flex: 2 }}>
        <div style={{ fontSize: 32, marginBottom: 16 }}>
          {s.outletName} · {t('queue.display.title')}
        </div>
        {showBanner ? (
          <div
            data-testid="display-banner"
            style={{ fontSize: 72, fontWeight: 700, color: '#ffd166', padding: '48px 0' }}
          >
            {callSentence(latest, i18n.language)}
          </div>
        ) : notice ? (
          <div data-testid="display-notice" style={{ fontSize: 40, padding: '32px 0' }}>
            {notice.image && <img src={notice.image} alt="" style={{ maxWidth: '100%', maxHeight: '50vh' }} />}
            {notice.text && <div>{notice.text}</div>}
          </div>
        ) : null}
        <table style={{ width: '100%', fontSize: 40 }}>
          <tbody>
            {s.current.map((c) => (
              <tr key={c.counterName} data-testid="display-current">
                <td style={{ fontWeight: 700, color: '#ffd166' }}>{c.number}</td>
                <td>{c.counterName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div style={{ flex: 1, borderLeft: '1px solid #345', paddingLeft: 24 }}>
        <div style={{ fontSize: 28, marginBottom: 12 }}>{t('queue.display.recent')}</div>
        {s.recent.map((c) => (
          <div key={c.eventId} style={{ fontSize: 28 }} data-testid="display-recent">
            {c.number} → {c.counterName}
          </div>
        ))}
        <Button
          type="ghost"
          size="small"
          style={{ marginTop: 32 }}
          onClick={() => speak(latest ? callSentence(latest, i18n.language) : '', 'zh-CN')}
        >
          {t('queue.display.testSound')}
        </Button>
        <LangSwitch style={{ marginTop: 32, marginInlineStart: 8 }} />
      </div>
    </div>
  );
}
