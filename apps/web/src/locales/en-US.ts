import base from './en-US.json';

/** The shared en-US strings (every page); the features' own: features-en-US.ts, app/i18n.ts. */
export default base;
