import type { TLinkInfo } from './surveys.repository.ts';

/** Open links of this process, by token hash (see lookupLink in surveys.responses.ts). */
export const OPEN_LINK_TTL_MS = 5_000;
export const openLinks = new Map<string, { link: TLinkInfo; until: number }>();
/** Publishing or closing a survey changes what its open link serves: drop the cached links at once. */
export const forgetOpenLinks = () => openLinks.clear();
