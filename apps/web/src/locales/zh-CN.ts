import base from './zh-CN.json';

/** The shared zh-CN strings (every page, before the first paint); the features' own: features-zh-CN.ts, app/i18n.ts. */
export default base;
