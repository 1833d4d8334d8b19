import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Strings come in parts, each one lazy chunk per language, so that a page downloads only what it shows:
 * - the shared strings (locales/<lang>.json): every page, loaded before the first paint;
 * - every feature's strings (`features/<feature>/locales/<lang>.json`, merged: locales/features-<lang>.ts): the staff
 *   app, loaded with the login page and the staff shell (router.tsx);
 * - one feature's strings: a public phone page (survey, review, kiosk, queue) loads only its own (`loadStrings`).
 * Keys stay globally unique (prefix them). Switching the language loads the same parts in the other language.
 */
type TLang = 'zh-CN' | 'en-US';
type TMessages = Record<string, unknown>;
const shared: Record<TLang, () => Promise<{ default: TMessages }>> = {
  'zh-CN': () => import('../locales/zh-CN.ts'),
  'en-US': () => import('../locales/en-US.ts'),
};
const allFeatures: Record<TLang, () => Promise<{ default: TMessages }>> = {
  'zh-CN': () => import('../locales/features-zh-CN.ts'),
  'en-US': () => import('../locales/features-en-US.ts'),
};
// One feature's file as its own chunk (the text, parsed here): `?raw` makes it a module apart from the JSON module the
// merged staff file includes, which would otherwise be split out of that chunk into one chunk per feature.
const oneFeature = import.meta.glob<string>('../features/*/locales/*.json', { query: '?raw', import: 'default' });

/** A part of the strings: 'staff' (every feature) or a feature folder's name (e.g. 'surveys'). */
type TPart = 'staff' | string;
const parts = new Set<TPart>();
const done = new Set<string>();

async function loadPart(lang: TLang, part: TPart | 'shared'): Promise<void> {
  const key = `${lang}:${part}`;
  if (done.has(key)) return;
  let messages: TMessages;
  if (part === 'shared') messages = (await shared[lang]()).default;
  else if (part === 'staff') messages = (await allFeatures[lang]()).default;
  else {
    const load = oneFeature[`../features/${part}/locales/${lang}.json`];
    if (!load) throw new Error(`no strings for feature ${part}`);
    messages = JSON.parse(await load()) as TMessages;
  }
  // Deep: features add keys under shared top-level keys (menu, action, …).
  i18n.addResourceBundle(lang, 'translation', messages, true, true);
  done.add(key);
}

/** Load a part of the strings in the shown language (and remember it, so that a language switch loads it too). */
export function loadStrings(part: TPart): Promise<void> {
  parts.add(part);
  const shown: TLang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  // During a switch, the language being switched to needs it as well.
  return Promise.all([loadPart(shown, part), target !== shown ? loadPart(target, part) : null]).then(() => undefined);
}

export const LANG_KEY = 'hf.lang';
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
const initial: TLang = saved === 'en-US' ? 'en-US' : 'zh-CN';
let target: TLang = initial;

/** Resolves once the initial language's shared strings are in; main.tsx renders after it. */
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
  .then(() => loadPart(initial, 'shared'))
  .then(() => i18n.changeLanguage(initial))
  .then(() => undefined);
document.documentElement.lang = initial;

export function setLanguage(lang: TLang) {
  target = lang;
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  // Shared strings first: the features' are merged over them.
  void loadPart(lang, 'shared')
    .then(() => Promise.all([...parts].map((p) => loadPart(lang, p))))
    .then(() => i18n.changeLanguage(lang));
}

export default i18n;
