/**
 * Duplicate customers (DESIGN §2 数据质量): the same normalised phone, or the same name with a similar address
 * (character-bigram Dice ≥ 0.8 after normalising both addresses). Runs in about linear time: customers are blocked by
 * phone and by name, and inside a name block candidate pairs come from a prefix-filtered bigram index, so a million
 * rows never meet an all-pairs comparison. Union-find joins transitive matches (A~B, B~C) into one group.
 */
import { normalizePhone, splitAddressRegion, type TAddressRegion } from '@huifang/shared';

export type TDuplicateCandidate = { id: string; name: string; phones: string[]; address: string | null };
export type TDuplicateReason = 'same_phone' | 'same_name_similar_address';
/**
 * `score` is the weakest evidence in the group: the lowest address similarity among its matching name pairs, 1 when
 * only shared phones link it. `reason` is same_phone when any shared phone is among its links.
 */
export type TDuplicateMatch = { reason: TDuplicateReason; ids: string[]; score: number };
export type TFindDuplicatesOptions = { minAddressSimilarity?: number };

const DEFAULT_MIN_SIMILARITY = 0.8;
const TRADITIONAL: Record<string, string> = {
  號: '号',
  樓: '楼',
  區: '区',
  縣: '县',
  棟: '栋',
  層: '层',
  單: '单',
  門: '门',
  號樓: '号楼',
};
const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
/** Chinese numerals written before a building/unit/floor/room word: 三号楼 → 3号楼, 十二层 → 12层. */
const CN_NUMERAL_BEFORE_UNIT = /([零〇一二两三四五六七八九十百]+)(?=号|栋|幢|座|楼|层|单元|室|弄|巷|排|期|户|门)/g;

/** 一 → 1, 十二 → 12, 二十三 → 23, 一百零一 → 101, 五〇一 → 501. */
function cnNumeral(s: string): string {
  if (!/[十百]/.test(s)) return Array.from(s, (ch) => String(CN_DIGIT[ch] ?? '')).join('');
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch === '十' || ch === '百') {
      total += (digit || 1) * (ch === '十' ? 10 : 100);
      digit = 0;
    } else digit = CN_DIGIT[ch] ?? 0;
  }
  return String(total + digit);
}

/** Name as compared: trimmed, no spaces or middle dots, full-width → half-width, lower case. */
export function normalizeCustomerName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s·•・.]/g, '')
    .toLowerCase();
}

/** Address as compared: half-width, lower case, 號 → 号 (and a few other traditional forms), # → 号, Chinese numerals of
 * buildings and rooms → digits, spaces and punctuation removed. */
export function normalizeAddress(address: string): string {
  return address
    .normalize('NFKC')
    .toLowerCase()
    .replace(/號樓|[號樓區縣棟層單門]/g, (ch) => TRADITIONAL[ch] ?? ch)
    .replace(/#/g, '号')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .replace(CN_NUMERAL_BEFORE_UNIT, (n) => cnNumeral(n));
}

type TAddr = { body: string; province: string | null; city: string | null };

function toAddr(address: string): TAddr {
  const r: TAddressRegion = splitAddressRegion(normalizeAddress(address));
  return { body: r.body, province: r.province, city: r.city };
}

const sameRegion = (x: string | null, y: string | null) =>
  x === null || y === null || x === y || x.endsWith(y) || y.endsWith(x);

/** The province/city prefix is compared, not scored: one that both share (or only one names) is stripped. */
function compatible(a: TAddr, b: TAddr): boolean {
  return sameRegion(a.city, b.city) && sameRegion(a.province, b.province);
}

/** Bigram multiset as sorted ids; the k-th repeat of a bigram gets its own id so sets behave like multisets. */
function bigramTokens(body: string, ids: Map<string, number>): number[] {
  const seen = new Map<number, number>();
  const out: number[] = [];
  const c = Array.from(body);
  for (let i = 0; i + 1 < c.length; i++) {
    const bg = `${c[i]}${c[i + 1]}`;
    let id = ids.get(bg);
    if (id === undefined) ids.set(bg, (id = ids.size));
    const k = seen.get(id) ?? 0;
    seen.set(id, k + 1);
    out.push(id * 64 + Math.min(k, 63));
  }
  return out.sort((x, y) => x - y);
}

function dice(a: number[], b: number[]): number {
  if (a.length + b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return (2 * common) / (a.length + b.length);
}

function similarity(a: TAddr, b: TAddr, ta: number[], tb: number[]): number {
  if (!compatible(a, b) || a.body === '' || b.body === '') return 0;
  return a.body === b.body ? 1 : dice(ta, tb);
}

/** Address similarity in [0, 1] as used for duplicates (normalised, shared region prefix stripped, bigram Dice). */
export function addressSimilarity(a: string, b: string): number {
  const ids = new Map<string, number>();
  const x = toAddr(a);
  const y = toAddr(b);
  return similarity(x, y, bigramTokens(x.body, ids), bigramTokens(y.body, ids));
}

function unionFind(n: number) {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const minScore = new Float64Array(n).fill(1);
  const byPhone = new Uint8Array(n);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const next = parent[x]!;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const union = (a: number, b: number, score: number, phone: boolean) => {
    let ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      parent[rb] = ra;
      minScore[ra] = Math.min(minScore[ra]!, minScore[rb]!);
      byPhone[ra] = byPhone[ra]! | byPhone[rb]!;
    }
    ra = find(a);
    minScore[ra] = Math.min(minScore[ra]!, score);
    if (phone) byPhone[ra] = 1;
  };
  return { find, union, minScore, byPhone };
}

/**
 * Join one name block: identical addresses collapse first, the rest go through an all-pairs similarity join with
 * prefix filtering (Bayardo et al.): for Dice ≥ t two bigram sets overlap in at least ⌈t·|X|/(2−t)⌉ tokens, so with
 * tokens ordered rarest first, a pair that matches shares a token within the first |X| − overlap + 1 of each.
 */
function joinBlock(
  members: number[],
  addrs: TAddr[],
  ids: Map<string, number>,
  t: number,
  union: (a: number, b: number, s: number) => void,
) {
  const reps: number[] = [];
  const byKey = new Map<string, number>();
  for (const i of members) {
    const a = addrs[i]!;
    if (a.body === '') continue;
    const key = `${a.province ?? ''}|${a.city ?? ''}|${a.body}`;
    const rep = byKey.get(key);
    if (rep !== undefined) union(rep, i, 1);
    else {
      byKey.set(key, i);
      reps.push(i);
    }
  }
  if (reps.length < 2) return;
  const tokens = reps.map((i) => bigramTokens(addrs[i]!.body, ids));
  const freq = new Map<number, number>();
  for (const ts of tokens) for (const tk of ts) freq.set(tk, (freq.get(tk) ?? 0) + 1);
  const index = new Map<number, number[]>();
  const seen = new Int32Array(reps.length).fill(-1);
  for (let r = 0; r < reps.length; r++) {
    const ts = tokens[r]!;
    const ordered = [...ts].sort((x, y) => freq.get(x)! - freq.get(y)! || x - y);
    const overlap = Math.max(1, Math.ceil((t * ts.length) / (2 - t) - 1e-9));
    const prefix = ordered.slice(0, Math.max(0, ts.length - overlap + 1));
    for (const tk of prefix) {
      for (const q of index.get(tk) ?? []) {
        if (seen[q] === r) continue;
        seen[q] = r;
        const s = similarity(addrs[reps[r]!]!, addrs[reps[q]!]!, ts, tokens[q]!);
        if (s >= t) union(reps[q]!, reps[r]!, s);
      }
    }
    for (const tk of prefix) {
      const list = index.get(tk);
      if (list) list.push(r);
      else index.set(tk, [r]);
    }
  }
}

/** Groups of likely duplicates, each listing its ids in input order; groups ordered by their first member. */
export function findDuplicateGroups(
  rows: readonly TDuplicateCandidate[],
  options: TFindDuplicatesOptions = {},
): TDuplicateMatch[] {
  const t = options.minAddressSimilarity ?? DEFAULT_MIN_SIMILARITY;
  if (!(t > 0 && t <= 1)) throw new RangeError('minAddressSimilarity must be in (0, 1]');
  const uf = unionFind(rows.length);

  const firstByPhone = new Map<string, number>();
  rows.forEach((row, i) => {
    for (const raw of row.phones) {
      const p = normalizePhone(raw);
      if (!p) continue;
      const key = p.extension ? `${p.e164}#${p.extension}` : p.e164;
      const first = firstByPhone.get(key);
      if (first === undefined) firstByPhone.set(key, i);
      else if (first !== i) uf.union(first, i, 1, true);
    }
  });

  const byName = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const name = normalizeCustomerName(row.name);
    if (name === '' || !row.address) return;
    const block = byName.get(name);
    if (block) block.push(i);
    else byName.set(name, [i]);
  });
  const addrs: TAddr[] = new Array<TAddr>(rows.length);
  const bigramIds = new Map<string, number>();
  for (const members of byName.values()) {
    if (members.length < 2) continue;
    for (const i of members) addrs[i] = toAddr(rows[i]!.address ?? '');
    joinBlock(members, addrs, bigramIds, t, (a, b, s) => uf.union(a, b, s, false));
  }

  const size = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) size[uf.find(i)]!++;
  const groups = new Map<number, string[]>();
  const emitted = new Set<string>(); // an id listed twice in the input is reported once
  rows.forEach((row, i) => {
    const root = uf.find(i);
    if (size[root]! < 2 || emitted.has(row.id)) return;
    emitted.add(row.id);
    const g = groups.get(root);
    if (g) g.push(row.id);
    else groups.set(root, [row.id]);
  });
  const out: TDuplicateMatch[] = [];
  for (const [root, ids] of groups) {
    if (ids.length < 2) continue;
    const reason: TDuplicateReason = uf.byPhone[root] ? 'same_phone' : 'same_name_similar_address';
    out.push({ reason, ids, score: Math.round(uf.minScore[root]! * 1000) / 1000 });
  }
  return out;
}
