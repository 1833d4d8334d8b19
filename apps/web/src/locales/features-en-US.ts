import { withFeatures, type TMessages } from './merge.ts';

/** Every feature's en-US strings, merged: the staff app's, one lazy chunk loaded by app/i18n.ts when en-US is shown. */
const featureFiles = import.meta.glob<TMessages>('../features/**/locales/en-US.json', {
  eager: true,
  import: 'default',
});
export default withFeatures({}, featureFiles);
