import { useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../../app/i18n.ts';
import { PageLoading } from '../../app/page-loading.tsx';
import './phone-ui.css';

/**
 * The public phone pages' few controls (survey /s, review /r, kiosk, queue), in plain React and one small CSS file
 * that looks like the staff app's antd theme: these pages must not download antd (issue 14: ≤ 150 KB gz a page).
 */
export { PageLoading as Loading };

type TStatus = 'success' | 'warning' | 'info' | 'error' | '404';
const ICON_COLOR: Record<Exclude<TStatus, '404'>, string> = {
  success: '#52c41a',
  warning: '#faad14',
  info: '#1677ff',
  error: '#ff4d4f',
};

/** A filled round status icon (check, !, i, ×). */
export function StatusIcon({ status, size }: { status: Exclude<TStatus, '404'>; size: number }) {
  const mark =
    status === 'success' ? (
      <path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" />
    ) : status === 'error' ? (
      <path d="M8.5 8.5l7 7m0-7l-7 7" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinecap="round" />
    ) : status === 'info' && size < 40 ? (
      <path d="M12 10.5v6.5M12 7v.2" fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
    ) : (
      <path d="M12 6.8v6.7M12 16.8v.2" fill="none" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
    );
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" className="hf-icon">
      <circle cx="12" cy="12" r="11" fill={ICON_COLOR[status]} />
      {mark}
    </svg>
  );
}

/** "Not found": a light disc with a question mark (antd's 404 picture, simplified). */
function NotFoundPicture() {
  return (
    <svg width="252" height="200" viewBox="0 0 252 200" aria-hidden="true">
      <circle cx="126" cy="110" r="86" fill="#e6ecf8" />
      <rect x="96" y="60" width="60" height="80" rx="8" fill="#f5d9a8" />
      <rect x="104" y="72" width="44" height="6" rx="3" fill="#fff" />
      <rect x="104" y="86" width="32" height="6" rx="3" fill="#fff" />
      <circle cx="190" cy="44" r="30" fill="#1677ff" />
      <text x="190" y="56" textAnchor="middle" fontSize="36" fontWeight="700" fill="#fff">
        ?
      </text>
    </svg>
  );
}

/** antd's Result: a big status icon, a title, a sub-title and extra content, centred. */
export function Result({
  status = 'info',
  title,
  subTitle,
  extra,
  testId,
}: {
  status?: TStatus;
  title?: ReactNode;
  subTitle?: ReactNode;
  extra?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="hf-result" data-testid={testId}>
      <div className="hf-result-icon">
        {status === '404' ? <NotFoundPicture /> : <StatusIcon status={status} size={72} />}
      </div>
      {title && <div className="hf-result-title">{title}</div>}
      {subTitle && <div className="hf-result-subtitle">{subTitle}</div>}
      {extra && <div className="hf-result-extra">{extra}</div>}
    </div>
  );
}

/** antd's Alert. */
export function Alert({
  type,
  message,
  description,
  showIcon,
  style,
  testId,
}: {
  type: 'success' | 'info' | 'warning' | 'error';
  message: ReactNode;
  description?: ReactNode;
  showIcon?: boolean;
  style?: CSSProperties;
  testId?: string;
}) {
  return (
    <div
      role="alert"
      className={`hf-alert hf-alert-${type}${description ? ' hf-alert-with-description' : ''}`}
      style={style}
      data-testid={testId}
    >
      {showIcon && <StatusIcon status={type} size={description ? 24 : 14} />}
      <div className="hf-alert-content">
        <div className="hf-alert-message">{message}</div>
        {description && <div className="hf-alert-description">{description}</div>}
      </div>
    </div>
  );
}

/** antd's Button: default / primary / ghost, small / large, block, loading. */
export function Button({
  type = 'default',
  size,
  block,
  loading,
  disabled,
  htmlType = 'button',
  onClick,
  style,
  testId,
  children,
}: {
  type?: 'default' | 'primary' | 'ghost' | 'text-danger';
  size?: 'small' | 'large';
  block?: boolean;
  loading?: boolean;
  disabled?: boolean;
  htmlType?: 'button' | 'submit';
  onClick?: () => void;
  style?: CSSProperties;
  testId?: string;
  children: ReactNode;
}) {
  const cls = [
    'hf-btn',
    `hf-btn-${type}`,
    size && `hf-btn-${size}`,
    block && 'hf-btn-block',
    loading && 'hf-btn-loading',
  ];
  return (
    <button
      type={htmlType}
      className={cls.filter(Boolean).join(' ')}
      disabled={disabled}
      onClick={loading ? undefined : onClick}
      style={style}
      data-testid={testId}
    >
      {loading && <span className="hf-btn-spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** antd's Card (the small size: a 38 px head). */
export function Card({
  title,
  children,
  style,
  testId,
}: {
  title?: ReactNode;
  children: ReactNode;
  style?: CSSProperties;
  testId?: string;
}) {
  return (
    <div className="hf-card" style={style} data-testid={testId}>
      {title && <div className="hf-card-head">{title}</div>}
      <div className="hf-card-body">{children}</div>
    </div>
  );
}

/** A text input or text area; `showCount` with `maxLength` shows "n / max" under it like antd. */
export function TextInput({
  value,
  onChange,
  rows,
  maxLength,
  showCount,
  size,
  placeholder,
  style,
  testId,
  ...rest
}: {
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  maxLength?: number;
  showCount?: boolean;
  size?: 'large';
  placeholder?: string;
  style?: CSSProperties;
  testId?: string;
  type?: string;
  inputMode?: 'tel' | 'numeric' | 'decimal' | 'text';
  autoFocus?: boolean;
  onPressEnter?: () => void;
}) {
  const { onPressEnter, ...attrs } = rest;
  const cls = `hf-input${size === 'large' ? ' hf-input-large' : ''}`;
  const field =
    rows !== undefined ? (
      <textarea
        className={cls}
        rows={rows}
        maxLength={maxLength}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        style={showCount ? undefined : style}
        data-testid={testId}
      />
    ) : (
      <input
        className={cls}
        maxLength={maxLength}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onPressEnter ? (e) => e.key === 'Enter' && onPressEnter() : undefined}
        style={showCount ? undefined : style}
        data-testid={testId}
        {...attrs}
      />
    );
  if (!showCount) return field;
  return (
    <div className="hf-input-counted" style={style}>
      {field}
      <div className="hf-input-count">
        {[...value].length} / {maxLength}
      </div>
    </div>
  );
}

const STAR = 'M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z';

/** antd's Rate: five stars (`ul > li > div[role=radio]`), 0 = none; clicking the chosen star again clears it. */
export function Rate({
  value,
  onChange,
  disabled,
  size = 20,
  testId,
}: {
  value: number;
  onChange?: (v: number) => void;
  disabled?: boolean;
  size?: number;
  testId?: string;
}) {
  const [hover, setHover] = useState(0);
  const shown = hover || value;
  return (
    <ul
      className={`hf-rate${disabled ? ' hf-rate-disabled' : ''}`}
      data-testid={testId}
      onMouseLeave={() => setHover(0)}
    >
      {[1, 2, 3, 4, 5].map((n) => (
        <li key={n} className={n <= shown ? 'hf-rate-full' : undefined}>
          <div
            role="radio"
            aria-checked={value === n}
            aria-posinset={n}
            aria-setsize={5}
            tabIndex={disabled ? -1 : 0}
            onClick={disabled ? undefined : () => onChange?.(value === n ? 0 : n)}
            onKeyDown={
              disabled ? undefined : (e) => (e.key === 'Enter' || e.key === ' ') && onChange?.(value === n ? 0 : n)
            }
            onMouseEnter={disabled ? undefined : () => setHover(n)}
          >
            <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true">
              <path d={STAR} />
            </svg>
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A list of radio buttons or check boxes (antd's Radio.Group / Checkbox.Group, vertical). */
export function ChoiceList<V extends string | number>({
  kind,
  name,
  options,
  value,
  onChange,
}: {
  kind: 'radio' | 'checkbox';
  name: string;
  options: { value: V; label: ReactNode }[];
  value: V[];
  onChange: (v: V[]) => void;
}) {
  return (
    <div className="hf-choices">
      {options.map((o) => {
        const checked = value.includes(o.value);
        return (
          <label key={String(o.value)} className={`hf-choice hf-${kind}${checked ? ' hf-checked' : ''}`}>
            <input
              type={kind}
              name={name}
              checked={checked}
              onChange={() =>
                onChange(
                  kind === 'radio' ? [o.value] : checked ? value.filter((v) => v !== o.value) : [...value, o.value],
                )
              }
            />
            <span className="hf-choice-box" aria-hidden="true" />
            <span>{o.label}</span>
          </label>
        );
      })}
    </div>
  );
}

/** A row of joined buttons, one chosen (antd's Radio.Group with optionType="button", solid). */
export function Segments<V extends string | number>({
  name,
  options,
  value,
  onChange,
  label,
  style,
  size,
}: {
  name: string;
  options: V[];
  value: V | undefined;
  onChange: (v: V) => void;
  /** What a segment shows (default: its value). */
  label?: (v: V) => string;
  style?: CSSProperties;
  size?: 'medium' | 'large';
}) {
  return (
    <div className={`hf-segments${size ? ` hf-segments-${size}` : ''}`} role="radiogroup" style={style}>
      {options.map((o) => (
        <label key={String(o)} className={`hf-segment${value === o ? ' hf-checked' : ''}`}>
          <input type="radio" name={name} checked={value === o} onChange={() => onChange(o)} />
          {label ? label(o) : o}
        </label>
      ))}
    </div>
  );
}

/** zh-CN first, with a switch to English (remembered in this browser, app/i18n.ts). */
export function LangSwitch({ style }: { style?: CSSProperties }) {
  const { i18n, t } = useTranslation();
  return (
    <select
      className="hf-lang"
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      value={i18n.language === 'en-US' ? 'en-US' : 'zh-CN'}
      onChange={(e) => setLanguage(e.target.value as 'zh-CN' | 'en-US')}
      style={style}
    >
      <option value="zh-CN">中文</option>
      <option value="en-US">English</option>
    </select>
  );
}

/** Grey placeholder lines while a page loads (antd's Skeleton). */
export function Skeleton() {
  return (
    <div className="hf-skeleton" aria-busy="true">
      <div style={{ width: '38%', height: 16 }} />
      <div />
      <div />
      <div style={{ width: '61%' }} />
    </div>
  );
}

/** A thumbnail that opens the picture over the page when tapped (antd's Image preview). */
export function Thumb({ src, size }: { src: string; size: number }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <img src={src} alt="" width={size} height={size} className="hf-thumb" onClick={() => setOpen(true)} />
      {open && (
        <div className="hf-preview" role="dialog" onClick={() => setOpen(false)}>
          <img src={src} alt="" />
        </div>
      )}
    </>
  );
}
