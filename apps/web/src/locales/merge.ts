export type TMessages = { [key: string]: string | TMessages };

function deepMerge(into: TMessages, from: TMessages): TMessages {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    into[k] = typeof v === 'object' && typeof cur === 'object' ? deepMerge({ ...cur }, v) : v;
  }
  return into;
}

/** The shared file with every feature's `features/<feature>/locales/<lang>.json` merged over it. */
export function withFeatures(base: TMessages, featureFiles: Record<string, TMessages>): TMessages {
  let merged: TMessages = { ...base };
  for (const messages of Object.values(featureFiles)) merged = deepMerge(merged, messages);
  return merged;
}
