import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import enUS from '../locales/en-US.json';
import zhCN from '../locales/zh-CN.json';

type TMessages = { [key: string]: string | TMessages };
/**
 * Each feature may keep its own strings in `features/<feature>/locales/{zh-CN,en-US}.json`; they are merged over
 * the shared files, so that features do not all edit one big file. Keys stay globally unique (prefix them).
 */
const featureFiles = import.meta.glob<TMessages>('../features/**/locales/*.json', { eager: true, import: 'default' });
function deepMerge(into: TMessages, from: TMessages): TMessages {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    into[k] = typeof v === 'object' && typeof cur === 'object' ? deepMerge({ ...cur }, v) : v;
  }
  return into;
}
function withFeatures(base: TMessages, lang: string): TMessages {
  let merged: TMessages = { ...base };
  for (const [file, messages] of Object.entries(featureFiles))
    if (file.endsWith(`/${lang}.json`)) merged = deepMerge(merged, messages);
  return merged;
}

export const LANG_KEY = 'hf.lang';
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
const initial = saved === 'en-US' ? 'en-US' : 'zh-CN';

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: withFeatures(zhCN, 'zh-CN') },
    'en-US': { translation: withFeatures(enUS, 'en-US') },
  },
  lng: initial,
  fallbackLng: 'zh-CN',
  // Keys such as `perm.org:read` contain ':'; with one namespace there is nothing to separate.
  nsSeparator: false,
  interpolation: { escapeValue: false },
});
document.documentElement.lang = initial;

export function setLanguage(lang: 'zh-CN' | 'en-US') {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

export default i18n;
