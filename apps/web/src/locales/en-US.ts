import base from './en-US.json';
import { withFeatures, type TMessages } from './merge.ts';

/** All en-US strings (shared + features): one lazy chunk, loaded by app/i18n.ts only when en-US is shown. */
const featureFiles = import.meta.glob<TMessages>('../features/**/locales/en-US.json', {
  eager: true,
  import: 'default',
});
export default withFeatures(base, featureFiles);
