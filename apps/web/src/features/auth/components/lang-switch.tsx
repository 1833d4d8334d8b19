import { useTranslation } from 'react-i18next';
import { setLanguage } from '../../../app/i18n.ts';
import './lang-switch.css';

/**
 * zh-CN first, with a switch to English (remembered in this browser, app/i18n.ts). A native select styled like antd's
 * small one: on the login page and in the shell header it is part of the first download, and antd's Select (its
 * virtual list, trigger and styles: ~25 KB gz) is not worth two options there.
 */
export function LangSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <select
      className="hf-lang-switch"
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      value={i18n.language === 'en-US' ? 'en-US' : 'zh-CN'}
      onChange={(e) => setLanguage(e.target.value as 'zh-CN' | 'en-US')}
    >
      <option value="zh-CN">中文</option>
      <option value="en-US">English</option>
    </select>
  );
}
