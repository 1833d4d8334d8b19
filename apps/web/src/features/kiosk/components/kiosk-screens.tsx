import type { TKioskKey, TStaffCard } from '@huifang/shared';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, TextInput } from '../../../lib/phone-ui/phone-ui.tsx';

const KEY_COLORS = ['#16a34a', '#65a30d', '#ca8a04', '#ea580c', '#dc2626'];

export function PairForm({
  onPair,
  error,
  busy,
}: {
  onPair: (code: string) => void;
  error: string | null;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  return (
    <div className="kiosk-center">
      <h2 style={{ color: '#fff' }}>{t('kiosk.pairTitle')}</h2>
      <p style={{ color: '#cbd5e1' }}>{t('kiosk.pairHint')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onPair(code);
        }}
        style={{ display: 'flex', gap: 12, width: 'min(420px, 90vw)' }}
      >
        <TextInput
          testId="pair-code"
          size="large"
          value={code}
          onChange={setCode}
          placeholder="ABCD-EFGH"
          autoFocus
          style={{ letterSpacing: 4, textTransform: 'uppercase' }}
        />
        <Button size="large" type="primary" htmlType="submit" loading={busy} style={{ flex: 'none' }}>
          {t('kiosk.pair')}
        </Button>
      </form>
      {error && (
        <span className="hf-danger" style={{ marginTop: 12 }}>
          {error}
        </span>
      )}
    </div>
  );
}

export function StaffCardView({ staff }: { staff: TStaffCard }) {
  const { t } = useTranslation();
  return (
    <div className="kiosk-center" data-testid="staff-card">
      <h2 style={{ color: '#fff', marginBottom: 24 }}>{t('kiosk.welcome')}</h2>
      <div className="kiosk-card">
        <span className="hf-avatar" style={{ width: 120, height: 120, background: '#1d4ed8', fontSize: 48 }}>
          {staff.photo ? <img src={staff.photo} alt="" /> : staff.name.slice(0, 1)}
        </span>
        <div>
          <div style={{ fontSize: 32, fontWeight: 600 }}>{staff.name}</div>
          <div style={{ fontSize: 18, color: '#475569' }}>{staff.title ?? ''}</div>
          <div style={{ fontSize: 18, marginTop: 8 }}>
            {t('kiosk.staffNo')}：<b>{staff.staffNo ?? '—'}</b>
          </div>
          {staff.businessHandled.length > 0 && (
            <div style={{ fontSize: 16, marginTop: 8, color: '#334155' }}>
              {t('kiosk.business')}：{staff.businessHandled.join('、')}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

export function RatingKeys({
  keys,
  onPress,
  secondsLeft,
}: {
  keys: TKioskKey[];
  onPress: (index: number) => void;
  secondsLeft: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="kiosk-center">
      <h2 style={{ color: '#fff' }}>{t('kiosk.prompt')}</h2>
      <div className="kiosk-keys">
        {keys.map((k, i) => (
          <button
            key={k.label}
            type="button"
            data-testid={`kiosk-key-${i + 1}`}
            className="kiosk-key"
            style={{ background: KEY_COLORS[Math.round(((5 - k.score) / 4) * 4)] }}
            onClick={() => onPress(i + 1)}
          >
            <span className="kiosk-key-no">{i + 1}</span>
            {t(`kioskKey.${k.label}`, { defaultValue: k.label })}
          </button>
        ))}
      </div>
      <span style={{ color: '#94a3b8', marginTop: 16 }} data-testid="kiosk-seconds-left">
        {t('kiosk.secondsLeft', { n: secondsLeft })}
      </span>
    </div>
  );
}

export const KIOSK_CSS = `
.kiosk-lang { position: fixed; top: 12px; left: 12px; z-index: 2; background: transparent; color: #cbd5e1; border: 1px solid #475569; border-radius: 6px; padding: 4px 12px; font-size: 14px; cursor: pointer; }
.kiosk-root { position: fixed; inset: 0; line-height: 1.15; background: linear-gradient(160deg, #0f172a, #1e3a8a); color: #fff; overflow: auto; font-family: system-ui, "Noto Sans CJK SC", sans-serif; }
.kiosk-center { min-height: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center; padding: 24px; text-align: center; }
.kiosk-card { display: flex; gap: 24px; align-items: center; background: #fff; color: #0f172a; border-radius: 20px; padding: 28px 36px; text-align: left; max-width: 92vw; flex-wrap: wrap; justify-content: center; }
.kiosk-keys { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(200px, 40vw), 1fr)); gap: 16px; width: min(1100px, 94vw); }
.kiosk-key { position: relative; border: 0; border-radius: 20px; color: #fff; font-size: clamp(24px, 5vw, 40px); font-weight: 700; min-height: clamp(110px, 24vh, 220px); cursor: pointer; box-shadow: 0 8px 20px rgba(0,0,0,.3); }
.kiosk-key:active { transform: scale(.97); }
.kiosk-key-no { position: absolute; top: 10px; left: 14px; font-size: 18px; opacity: .8; }
.kiosk-status { position: fixed; top: 10px; right: 12px; font-size: 13px; padding: 2px 10px; border-radius: 10px; }
.kiosk-footer { position: fixed; bottom: 8px; left: 12px; font-size: 12px; color: #94a3b8; }
`;
