import type { TKioskState } from '@huifang/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KIOSK_CSS, PairForm, RatingKeys, StaffCardView } from '../components/kiosk-screens.tsx';
import { ApiError } from '../../../api/client.ts';
import { fetchState, pair } from '../device-api.ts';
import { enqueue, flush, queued, retryNow } from '../offline-queue.ts';
import { speak } from '../speech.ts';
import { Loading, StatusIcon } from '../../../lib/phone-ui/phone-ui.tsx';
import i18n, { setLanguage } from '../../../app/i18n.ts';

type TScreen = { kind: 'loading' } | { kind: 'unpaired' } | { kind: 'live'; state: TKioskState } | { kind: 'thanks' };
const THANKS_MS = 3000;
const RATED_KEY = 'hf.kiosk.rated';

/** Sessions this kiosk already rated locally (their rating may still wait in the offline queue). */
const ratedLocally = (): string[] => {
  try {
    return JSON.parse(localStorage.getItem(RATED_KEY) ?? '[]') as string[];
  } catch {
    return [];
  }
};

/** 窗口评价器: full screen, no app shell. Follows the teller over SSE; keys by touch or number keys 1–N. */
export function KioskPage() {
  const { t } = useTranslation();
  const [screen, setScreen] = useState<TScreen>({ kind: 'loading' });
  const [pairError, setPairError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [online, setOnline] = useState(navigator.onLine);
  const [streamUp, setStreamUp] = useState(false);
  const [pending, setPending] = useState(queued().length);
  const [now, setNow] = useState(Date.now());
  const shownAt = useRef<{ sessionId: string; at: number } | null>(null);
  const clockSkew = useRef(0);
  const lastSpoken = useRef<string | null>(null);
  const thanksUntil = useRef(0);

  const apply = useCallback((state: TKioskState) => {
    clockSkew.current = new Date(state.serverTime).getTime() - Date.now();
    setNow(Date.now()); // the countdown starts from this moment, not from the last once-a-second tick
    if (state.state === 'rating' && state.sessionId && ratedLocally().includes(state.sessionId))
      state = { ...state, state: 'idle', sessionId: null, staff: null };
    if (Date.now() < thanksUntil.current && state.state !== 'serving') return;
    setScreen({ kind: 'live', state });
    const spoken = `${state.sessionId}.${state.state}`;
    if (state.state === 'serving' && lastSpoken.current !== spoken) speak(i18n.t('kiosk.welcome'), i18n.language);
    if (state.state === 'rating' && lastSpoken.current !== spoken) {
      speak(i18n.t('kiosk.prompt'), i18n.language);
      shownAt.current = { sessionId: state.sessionId!, at: Date.now() };
    }
    lastSpoken.current = spoken;
  }, []);

  // First read: paired or not.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      fetchState()
        .then(apply)
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 401) setScreen({ kind: 'unpaired' });
          else timer = setTimeout(() => void load(), 2000); // server or network down: keep trying
        });
    void load();
    return () => clearTimeout(timer);
  }, [apply]);

  // Live stream; EventSource reconnects by itself and sends Last-Event-ID.
  const paired = screen.kind === 'live' || screen.kind === 'thanks';
  useEffect(() => {
    if (!paired) return;
    const es = new EventSource('/api/kiosk/device/events');
    es.addEventListener('state', (e) => apply(JSON.parse((e as MessageEvent<string>).data) as TKioskState));
    es.addEventListener('revoked', () => {
      es.close();
      setScreen({ kind: 'unpaired' });
    });
    es.onopen = () => setStreamUp(true);
    es.onerror = () => setStreamUp(false);
    return () => es.close();
  }, [paired, apply]);

  // Offline queue: deliver now and then, and at once when the browser is back online.
  useEffect(() => {
    const tick = () => void flush().then(() => setPending(queued().length));
    const goOnline = () => {
      setOnline(true);
      retryNow();
      tick();
    };
    const goOffline = () => setOnline(false);
    window.addEventListener('online', goOnline);
    window.addEventListener('offline', goOffline);
    const id = setInterval(() => {
      setNow(Date.now());
      tick();
    }, 1000);
    return () => {
      window.removeEventListener('online', goOnline);
      window.removeEventListener('offline', goOffline);
      clearInterval(id);
    };
  }, []);

  const live = screen.kind === 'live' ? screen.state : null;
  const deadline =
    live?.state === 'rating' && live.endedAt
      ? new Date(live.endedAt).getTime() + live.timeoutSeconds * 1000 - clockSkew.current
      : 0;
  // Never more than the timeout: the skew estimate includes the transport delay, which must not add a second.
  const secondsLeft = live ? Math.min(live.timeoutSeconds, Math.max(0, Math.ceil((deadline - now) / 1000))) : 0;

  const onPress = useCallback(
    (index: number) => {
      if (!live || live.state !== 'rating' || !live.sessionId || index > live.keys.length) return;
      const pressedAt = Date.now();
      const shown = shownAt.current?.sessionId === live.sessionId ? shownAt.current.at : pressedAt;
      enqueue({
        sessionId: live.sessionId,
        key: index,
        shownAt: new Date(shown).toISOString(),
        pressedAt: new Date(pressedAt).toISOString(),
      });
      localStorage.setItem(RATED_KEY, JSON.stringify([...ratedLocally().slice(-50), live.sessionId]));
      setPending(queued().length);
      void flush().then(() => setPending(queued().length));
      thanksUntil.current = Date.now() + THANKS_MS;
      setScreen({ kind: 'thanks' });
      setTimeout(() => {
        thanksUntil.current = 0;
        void fetchState()
          .then(apply)
          .catch(() => setScreen({ kind: 'live', state: { ...live, state: 'idle', sessionId: null, staff: null } }));
      }, THANKS_MS);
    },
    [live, apply],
  );

  // USB evaluator keypads type digits.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (/^[1-9]$/.test(e.key)) onPress(Number(e.key));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onPress]);

  // Past the timeout the kiosk goes idle by itself (the server records 未评价).
  useEffect(() => {
    if (live?.state === 'rating' && deadline && now > deadline)
      setScreen({ kind: 'live', state: { ...live, state: 'idle', sessionId: null, staff: null } });
  }, [live, deadline, now]);

  const doPair = async (code: string) => {
    setBusy(true);
    setPairError(null);
    try {
      await pair(code);
      apply(await fetchState());
    } catch (e) {
      setPairError(e instanceof ApiError && e.status === 429 ? t('kiosk.tooMany') : t('kiosk.badCode'));
    } finally {
      setBusy(false);
    }
  };

  const isOffline = !online || (paired && !streamUp);
  return (
    <div
      className="kiosk-root hf-page"
      data-testid="kiosk"
      data-screen={screen.kind === 'live' ? screen.state.state : screen.kind}
    >
      <style>{KIOSK_CSS}</style>
      {/* The kiosk has no app shell: its own language switch, remembered in this browser like the app's. */}
      <button
        type="button"
        className="kiosk-lang"
        data-testid="kiosk-lang"
        onClick={() => setLanguage(i18n.language.startsWith('en') ? 'zh-CN' : 'en-US')}
      >
        {i18n.language.startsWith('en') ? '中文' : 'English'}
      </button>
      {paired && (
        <div
          className="kiosk-status"
          data-testid="kiosk-status"
          style={{ background: isOffline ? '#b91c1c' : pending ? '#a16207' : '#15803d' }}
        >
          {isOffline ? t('kiosk.offline') : t('kiosk.online')}
          {pending > 0 && ` · ${t('kiosk.pending', { n: pending })}`}
        </div>
      )}
      {screen.kind === 'loading' && (
        <div className="kiosk-center">
          <Loading large />
        </div>
      )}
      {screen.kind === 'unpaired' && <PairForm onPair={(c) => void doPair(c)} error={pairError} busy={busy} />}
      {screen.kind === 'thanks' && (
        <div className="kiosk-center" data-testid="kiosk-thanks">
          <StatusIcon status="success" size={72} />
          <div style={{ color: '#fff', fontSize: 36, marginTop: 32 }}>{t('kiosk.thanks')}</div>
        </div>
      )}
      {live?.state === 'idle' && (
        <div className="kiosk-center" data-testid="kiosk-idle">
          <div style={{ fontSize: 'clamp(28px, 6vw, 56px)', fontWeight: 700 }}>{t('kiosk.idleTitle')}</div>
          <div style={{ fontSize: 20, color: '#cbd5e1', marginTop: 12 }}>
            {live.outletName} · {live.counterName}
          </div>
        </div>
      )}
      {live?.state === 'serving' && live.staff && <StaffCardView staff={live.staff} />}
      {live?.state === 'rating' && <RatingKeys keys={live.keys} onPress={onPress} secondsLeft={secondsLeft} />}
      {live && (
        <div className="kiosk-footer">
          {live.outletName} {live.counterName}
        </div>
      )}
    </div>
  );
}
