/** locales/shell-<lang>.ts: built by vite.config.ts from the features' files. */
declare module 'virtual:shell-strings/*' {
  const strings: Record<string, unknown>;
  export default strings;
}
