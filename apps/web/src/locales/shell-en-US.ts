import strings from 'virtual:shell-strings/en-US';

/**
 * The en-US strings the staff shell loads with its chunk (app/i18n.ts): of every feature's file, the keys the shell draws
 * or several features share (menu, action, entity, …; built by vite.config.ts). A page loads its features' files.
 */
export default strings;
