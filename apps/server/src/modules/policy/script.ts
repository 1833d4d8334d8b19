import { SCRIPT_PLACEHOLDERS } from '@huifang/shared';

export type TScriptValues = Partial<Record<(typeof SCRIPT_PLACEHOLDERS)[number], string | null>>;

/**
 * Render a script 话术: each known `{占位符}` is replaced by its value ('' when the task has none, e.g. no service
 * record). Unknown placeholders never get here: the plan schema rejects them with the field path.
 */
export function renderScript(script: string, values: TScriptValues): string {
  const known = new Set<string>(SCRIPT_PLACEHOLDERS);
  return script.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
    known.has(name) ? (values[name as keyof TScriptValues] ?? '') : whole,
  );
}

/** 先生 / 女士 after the surname; the full name when the gender is unknown. */
export function salutation(name: string, gender: string | null): string {
  if (gender === 'male') return `${name.slice(0, 1)}先生`;
  if (gender === 'female') return `${name.slice(0, 1)}女士`;
  return name;
}
