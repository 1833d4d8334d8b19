/**
 * Which features' strings a feature's pages load with their chunk (app/i18n.ts `loadStrings`): their own, and those
 * of the features whose components or keys they show (e.g. the customer page draws the value card and the survey
 * entry). The shell's part (menu, action, entity, … of every feature: locales/shell-<lang>.ts) is always there.
 * e2e/bundle-budget.spec.ts checks each routed page's `t('…')` keys against this list.
 */
export const BORROWS: Record<string, string[]> = {
  analysis: ['evaluations', 'dashboard'],
  counter: ['queue', 'tickets'],
  customers: ['followup', 'surveys', 'value'],
  dashboard: ['audit', 'value'],
  feedback: ['evaluations'],
  followup: ['messaging'],
  settings: ['tickets'],
  tickets: ['followup'],
};

/** A feature's strings parts: its own folder's files (sub-folders included) and those it borrows. */
export const partsOf = (feature: string): string[] => [feature, ...(BORROWS[feature] ?? [])];
