import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Each feature may keep its own strings in `features/<feature>/locales/{zh-CN,en-US}.json`; they are merged over
 * the shared files (locales/<lang>.ts), so that features do not all edit one big file. Keys stay globally unique
 * (prefix them). Each language is one lazy chunk: a page downloads only the language it shows, and the other one
 * when the user switches.
 */
type TLang = 'zh-CN' | 'en-US';
const bundles: Record<TLang, () => Promise<{ default: Record<string, unknown> }>> = {
  'zh-CN': () => import('../locales/zh-CN.ts'),
  'en-US': () => import('../locales/en-US.ts'),
};

async function loadLanguage(lang: TLang): Promise<void> {
  if (i18n.hasResourceBundle(lang, 'translation')) return;
  i18n.addResourceBundle(lang, 'translation', (await bundles[lang]()).default);
}

export const LANG_KEY = 'hf.lang';
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
const initial: TLang = saved === 'en-US' ? 'en-US' : 'zh-CN';

/** Resolves once the initial language's strings are in; main.tsx renders after it. */
export const i18nReady: Promise<void> = i18n
  .use(initReactI18next)
  .init({
    resources: {},
    lng: initial,
    fallbackLng: 'zh-CN',
    // Keys such as `perm.org:read` contain ':'; with one namespace there is nothing to separate.
    nsSeparator: false,
    interpolation: { escapeValue: false },
  })
  .then(() => loadLanguage(initial))
  .then(() => i18n.changeLanguage(initial))
  .then(() => undefined);
document.documentElement.lang = initial;

export function setLanguage(lang: TLang) {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  void loadLanguage(lang).then(() => i18n.changeLanguage(lang));
}

export default i18n;
