import { withFeatures, type TMessages } from './merge.ts';

/** Every feature's zh-CN strings, merged: the staff app's, one lazy chunk loaded by app/i18n.ts with the login page. */
const featureFiles = import.meta.glob<TMessages>('../features/**/locales/zh-CN.json', {
  eager: true,
  import: 'default',
});
export default withFeatures({}, featureFiles);
