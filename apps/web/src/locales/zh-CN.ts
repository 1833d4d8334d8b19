import base from './zh-CN.json';
import { withFeatures, type TMessages } from './merge.ts';

/** All zh-CN strings (shared + features): one lazy chunk, loaded by app/i18n.ts only when zh-CN is shown. */
const featureFiles = import.meta.glob<TMessages>('../features/**/locales/zh-CN.json', {
  eager: true,
  import: 'default',
});
export default withFeatures(base, featureFiles);
