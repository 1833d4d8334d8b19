import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { partsOf } from './strings-of.ts';

/**
 * Strings come in parts, each one lazy chunk per language, so that a page downloads only what it shows:
 * - the shared strings (locales/<lang>.json): every page, loaded before the first paint;
 * - the staff shell's part of every feature's strings (menu, action, entity, … and the bell's: locales/shell-<lang>.ts,
 *   built by vite.config.ts): loaded with the staff shell (router.tsx);
 * - a feature's own files (`features/<feature>/…/locales/<lang>.json`) and those of the features it borrows from
 *   (app/strings-of.ts): loaded with that feature's pages, the public phone pages included (router.tsx `withStrings`).
 * Keys stay globally unique (prefix them). Switching the language loads the same parts in the other language.
 */
type TLang = 'zh-CN' | 'en-US';
type TMessages = Record<string, unknown>;
const shared: Record<TLang, () => Promise<{ default: TMessages }>> = {
  'zh-CN': () => import('../locales/zh-CN.ts'),
  'en-US': () => import('../locales/en-US.ts'),
};
const shell: Record<TLang, () => Promise<{ default: TMessages }>> = {
  'zh-CN': () => import('../locales/shell-zh-CN.ts'),
  'en-US': () => import('../locales/shell-en-US.ts'),
};
// Each feature file as a chunk of its own (the text, parsed here): `?raw` keeps it apart from any JSON module.
const featureFiles = import.meta.glob<string>('../features/**/locales/*.json', { query: '?raw', import: 'default' });

/** A part of the strings: 'shell' (the staff shell's) or a feature folder's name (e.g. 'surveys'). */
type TPart = 'shell' | string;
const parts = new Set<TPart>();
const done = new Set<string>();

async function loadPart(lang: TLang, part: TPart | 'shared'): Promise<void> {
  const key = `${lang}:${part}`;
  if (done.has(key)) return;
  let bundles: TMessages[];
  if (part === 'shared') bundles = [(await shared[lang]()).default];
  else if (part === 'shell') bundles = [(await shell[lang]()).default];
  else {
    const files = Object.keys(featureFiles).filter(
      (f) => f.startsWith(`../features/${part}/`) && f.endsWith(`/locales/${lang}.json`),
    );
    if (files.length === 0) throw new Error(`no strings for feature ${part}`);
    bundles = (await Promise.all(files.map((f) => featureFiles[f]!()))).map((text) => JSON.parse(text) as TMessages);
  }
  // Deep: features add keys under shared top-level keys (menu, action, …).
  for (const messages of bundles) i18n.addResourceBundle(lang, 'translation', messages, true, true);
  done.add(key);
}

/** Load one part in the shown language (and remember it, so that a language switch loads it too). */
function loadOne(part: TPart): Promise<void> {
  parts.add(part);
  const shown: TLang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  // During a switch, the language being switched to needs it as well.
  return Promise.all([loadPart(shown, part), target !== shown ? loadPart(target, part) : null]).then(() => undefined);
}

/** Load the staff shell's strings ('shell'), or a feature's pages' (its own and those it borrows: strings-of.ts). */
export function loadStrings(part: TPart): Promise<void> {
  return Promise.all((part === 'shell' ? [part] : partsOf(part)).map(loadOne)).then(() => undefined);
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
