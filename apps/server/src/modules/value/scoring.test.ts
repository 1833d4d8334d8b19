import { describe, expect, it } from 'vitest';
import { DEFAULT_VALUE_CONFIG, ZValueConfig, ZWeightedModel, type TValueMetrics } from '@huifang/shared';
import { chunkBounds, RUN_CHUNK_CUSTOMERS } from './value.runner.ts';
import {
  churnWarning,
  deriveMetrics,
  evalCondition,
  expertScore,
  lifecycleTier,
  normalise,
  percentileTiers,
  rfmScores,
  round2,
  ruleClass,
  starLevel,
  weightedScore,
  type TRawMetrics,
} from './scoring.ts';

const WAN = 1_000_000;
const raw = (r: Partial<TRawMetrics> = {}): TRawMetrics => ({
  salesFen: 0,
  prevSalesFen: 0,
  batches: 0,
  returnsFen: 0,
  paymentsFen: 0,
  prevPaymentsFen: 0,
  debtFen: 0,
  daysSinceOrder: null,
  isNew: false,
  managerRating: null,
  expertScore: null,
  recentFen: 0,
  priorFen: 0,
  ...r,
});
const m = (r: Partial<TRawMetrics> = {}) => deriveMetrics(raw(r));
const cfg = DEFAULT_VALUE_CONFIG;

describe('normalise (DESIGN §3)', () => {
  const fwd = { min: 10, max: 210, direction: 'forward' as const };
  const rev = { min: 1, max: 5, direction: 'reverse' as const };
  it('forward: 0 at min, 100 at max, linear between, clamped beyond both edges', () => {
    expect(normalise(10, fwd)).toBe(0);
    expect(normalise(210, fwd)).toBe(100);
    expect(normalise(110, fwd)).toBe(50);
    expect(normalise(9.99, fwd)).toBe(0);
    expect(normalise(-50, fwd)).toBe(0);
    expect(normalise(210.01, fwd)).toBe(100);
    expect(normalise(1e9, fwd)).toBe(100);
  });
  it('reverse 倒序: 100 at min, 0 at max, clamped beyond', () => {
    expect(normalise(1, rev)).toBe(100);
    expect(normalise(5, rev)).toBe(0);
    expect(normalise(3, rev)).toBe(50);
    expect(normalise(0, rev)).toBe(100);
    expect(normalise(7, rev)).toBe(0);
  });
  it('a missing value scores 0', () => {
    expect(normalise(null, fwd)).toBe(0);
    expect(normalise(null, rev)).toBe(0);
  });
});

describe('weighted indicator model 综合评价', () => {
  it('default model: Σ weight × score with the breakdown of each indicator', () => {
    // 110 万 (50 → 15), growth 12.5 % (50 → 15), collection 95 % (50 → 10), returns 2 % reverse (75 → 7.5), rating 80 (→ 8)
    const metrics = m({
      salesFen: 110 * WAN,
      prevSalesFen: (110 * WAN * 100) / 112.5,
      paymentsFen: 104.5 * WAN,
      returnsFen: 2.2 * WAN,
      managerRating: 80,
    });
    const r = weightedScore(cfg.weighted, metrics);
    expect(r.parts.map((p) => [p.key, p.score, p.contribution])).toEqual([
      ['sales', 50, 15],
      ['growth', 50, 15],
      ['collection', 50, 10],
      ['returns', 75, 7.5],
      ['manager', 80, 8],
    ]);
    expect(r.total).toBe(55.5);
  });
  it('all at or beyond the best edge: 100; nothing at all: the reverse indicator of a missing rate still scores 0', () => {
    const best = m({
      salesFen: 500 * WAN,
      prevSalesFen: 100 * WAN,
      paymentsFen: 500 * WAN,
      returnsFen: 0,
      managerRating: 100,
    });
    expect(weightedScore(cfg.weighted, best).total).toBe(100);
    expect(weightedScore(cfg.weighted, m()).total).toBe(0);
  });
  it('weights that do not sum to 100 % are refused with the field and the sum in the message', () => {
    const bad = {
      indicators: cfg.weighted.indicators.map((i, n) => (n === 0 ? { ...i, weight: 29.99 } : i)),
    };
    const r = ZWeightedModel.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['indicators', '权重合计须为 100%（当前 99.99%）'],
    ]);
    // 33.33 + 33.33 + 33.34 is exactly 100 (compared in hundredths, not floats).
    const thirds = ['a', 'b', 'c'].map((key, n) => ({
      key,
      label: key,
      metric: 'salesWan' as const,
      weight: n === 2 ? 33.34 : 33.33,
      min: 0,
      max: 1,
      direction: 'forward' as const,
    }));
    expect(ZWeightedModel.safeParse({ indicators: thirds }).success).toBe(true);
  });
  it('a range whose max is not above its min is refused on that field', () => {
    const bad = { indicators: [{ ...cfg.weighted.indicators[0]!, weight: 100, min: 5, max: 5 }] };
    const r = ZWeightedModel.safeParse(bad);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['indicators.0.max']);
  });
  it('the default config is valid', () => {
    expect(ZValueConfig.safeParse(cfg).success).toBe(true);
  });
});

describe('expert criteria 大客户评价', () => {
  it('weighted average of 0–10 scores with the §3 weights', () => {
    const all10 = Object.fromEntries(cfg.expert.criteria.map((c) => [c.key, 10]));
    expect(expertScore(cfg.expert, all10)).toBe(10);
    // 交易额 8 (25), 利润率 6 (20), the rest 5 → (200 + 120 + 5 × 55) / 100 = 5.95
    const mixed = { ...Object.fromEntries(cfg.expert.criteria.map((c) => [c.key, 5])), volume: 8, margin: 6 };
    expect(expertScore(cfg.expert, mixed)).toBe(5.95);
    expect(expertScore(cfg.expert, { volume: 10 })).toBe(2.5);
    expect(expertScore(cfg.expert, null)).toBeNull();
  });
});

describe('metrics are exact at thresholds', () => {
  it('10 万 is exactly 10; 95 % is exactly 95; growth −50 % exactly −50', () => {
    const x = m({ salesFen: 10 * WAN, paymentsFen: 9.5 * WAN, prevSalesFen: 20 * WAN, returnsFen: 0.5 * WAN });
    expect(x.salesWan).toBe(10);
    expect(x.collectionRate).toBe(95);
    expect(x.returnRate).toBe(5);
    expect(x.growth).toBe(-50);
    // Odd amounts on the threshold still land exactly: 95 % of 3,333,340 fen is 3,166,673 fen.
    expect(m({ salesFen: 3_333_340, paymentsFen: 3_166_673 }).collectionRate).toBe(95);
    expect(m({ salesFen: 7, paymentsFen: 7 }).collectionRate).toBe(100);
  });
  it('rates without a base are missing, not 0', () => {
    const x = m({ paymentsFen: 100 });
    expect(x.collectionRate).toBeNull();
    expect(x.returnRate).toBeNull();
    expect(x.growth).toBeNull();
    expect(x.collectionChange).toBeNull();
  });
});

describe('rule classes 客户分类 (default nine, in order)', () => {
  const cls = (r: Partial<TRawMetrics>) => ruleClass(cfg.ruleClasses, m(r));
  const healthy = { batches: 4, paymentsFen: 0, returnsFen: 0, prevSalesFen: 0 };
  it('无业务 / 待处理 / 呆滞', () => {
    expect(cls({})).toBe('no_business');
    expect(cls({ debtFen: 1 })).toBe('pending');
    expect(cls({ batches: 1, salesFen: 5 * WAN, debtFen: 5 * WAN })).toBe('pending');
    expect(cls({ batches: 2, salesFen: 1.5 * WAN, debtFen: 3 * WAN })).toBe('stagnant');
    // Exactly 2 万 sales is not < 2 万; exactly 2 万 debt is not > 2 万.
    expect(cls({ batches: 2, salesFen: 2 * WAN, debtFen: 3 * WAN })).toBeNull();
    expect(cls({ batches: 2, salesFen: 1 * WAN, debtFen: 2 * WAN, paymentsFen: 0 })).toBeNull();
  });
  it('新增有效 / 新增无效 / 新增客户 at exactly 10 万', () => {
    expect(cls({ isNew: true, batches: 1, salesFen: 10 * WAN + 1, paymentsFen: 10 * WAN + 1 })).toBe('new_effective');
    expect(cls({ isNew: true, batches: 1, salesFen: 10 * WAN - 1, paymentsFen: 10 * WAN - 1 })).toBe('new_ineffective');
    expect(cls({ isNew: true, batches: 1, salesFen: 10 * WAN, paymentsFen: 10 * WAN })).toBe('new');
  });
  it('正常 needs > 10 万, > 3 batches, > 95 % collection, < 5 % returns; exactly 95 % or exactly 10 万 is neither', () => {
    const base = { ...healthy, salesFen: 20 * WAN, paymentsFen: 19.2 * WAN, returnsFen: 0.2 * WAN };
    expect(cls(base)).toBe('normal');
    expect(cls({ ...base, batches: 3 })).toBeNull();
    // Collection exactly 95 %: not > 95 (正常) and not < 95 (非正常).
    expect(cls({ ...base, paymentsFen: 19 * WAN })).toBeNull();
    expect(cls({ ...base, paymentsFen: 19 * WAN - 1 })).toBe('abnormal');
    // Returns exactly 5 %: neither < 5 nor > 5.
    expect(cls({ ...base, returnsFen: 1 * WAN })).toBeNull();
    expect(cls({ ...base, returnsFen: 1 * WAN + 1 })).toBe('abnormal');
    // Sales exactly 10 万 with everything else healthy: neither 正常 nor 非正常.
    expect(cls({ ...base, salesFen: 10 * WAN, paymentsFen: 10 * WAN, returnsFen: 0 })).toBeNull();
  });
  it('劣化: sales down exactly 50 % on last year, or collection down exactly 10 points', () => {
    const base = { batches: 3, salesFen: 10 * WAN, paymentsFen: 10 * WAN, prevPaymentsFen: 20 * WAN };
    expect(cls({ ...base, prevSalesFen: 20 * WAN })).toBe('deteriorating');
    expect(cls({ ...base, prevSalesFen: 20 * WAN - 1 })).toBeNull();
    expect(
      cls({ batches: 3, salesFen: 5 * WAN, paymentsFen: 4.5 * WAN, prevSalesFen: 5 * WAN, prevPaymentsFen: 5 * WAN }),
    ).toBe('deteriorating');
    expect(
      cls({
        batches: 3,
        salesFen: 5 * WAN,
        paymentsFen: 4.5 * WAN + 1,
        prevSalesFen: 5 * WAN,
        prevPaymentsFen: 5 * WAN,
      }),
    ).toBeNull();
  });
  it('and / or nest; a missing metric satisfies no comparison, not even neq', () => {
    const x: TValueMetrics = m({ batches: 2 });
    expect(
      evalCondition(
        {
          all: [
            { metric: 'batches', op: 'eq', value: 2 },
            { metric: 'growth', op: 'neq', value: 0 },
          ],
        },
        x,
      ),
    ).toBe(false);
    expect(
      evalCondition(
        {
          any: [
            { metric: 'batches', op: 'gte', value: 2 },
            { metric: 'growth', op: 'lt', value: 0 },
          ],
        },
        x,
      ),
    ).toBe(true);
  });
});

describe('percentile tiers within a group (20 / 60 / 20)', () => {
  const cuts = cfg.percentile.cuts;
  it('cuts ten customers of one group 2 / 6 / 2 by (quantity share + amount share) / 2, groups apart', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: `a${i}`,
      group: 'A',
      quantity: 10 - i,
      amountFen: (10 - i) * 100,
    }));
    rows.push({ id: 'b0', group: 'B', quantity: 1, amountFen: 1 });
    const t = percentileTiers({ cuts }, rows);
    expect(rows.map((r) => t.get(r.id))).toEqual([
      'large',
      'large',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'medium',
      'small',
      'small',
      'large', // alone in its group: rank 1
    ]);
  });
  it('ties at a cut go up whole (tied customers share the tier of the first of them)', () => {
    // Ranks: 1, 2, 2, 2 (ties), 5 … with n = 10 the large cut holds ranks 1–2: all three tied customers are large.
    const rows = [
      { id: 'top', quantity: 10, amountFen: 1000 },
      { id: 't1', quantity: 5, amountFen: 500 },
      { id: 't2', quantity: 5, amountFen: 500 },
      { id: 't3', quantity: 5, amountFen: 500 },
      ...Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, quantity: 1, amountFen: 10 + i })),
    ].map((r) => ({ ...r, group: 'G' }));
    const t = percentileTiers({ cuts }, rows);
    expect(['top', 't1', 't2', 't3'].map((id) => t.get(id))).toEqual(['large', 'large', 'large', 'large']);
    // Equal scores by different routes (a quantity share traded for an amount share) tie exactly too.
    const eq = percentileTiers({ cuts }, [
      { id: 'x', group: 'G', quantity: 2, amountFen: 1 },
      { id: 'y', group: 'G', quantity: 1, amountFen: 2 },
      { id: 'z', group: 'G', quantity: 0, amountFen: 0 },
    ]);
    expect([eq.get('x'), eq.get('y'), eq.get('z')]).toEqual(['large', 'large', null]);
  });
});

describe('RFM, stars, lifecycle, churn', () => {
  it('RFM 1–5 by rank among customers who ordered; ties share the lower score; never ordered: none', () => {
    const rows = [
      { id: 'a', daysSinceOrder: 1, batches: 5, salesFen: 500 },
      { id: 'b', daysSinceOrder: 10, batches: 4, salesFen: 400 },
      { id: 'c', daysSinceOrder: 20, batches: 3, salesFen: 300 },
      { id: 'd', daysSinceOrder: 30, batches: 3, salesFen: 200 },
      { id: 'e', daysSinceOrder: 400, batches: 1, salesFen: 100 },
      { id: 'n', daysSinceOrder: null, batches: 0, salesFen: 0 },
    ];
    const s = rfmScores(rows);
    expect(s.get('a')).toEqual({ r: 5, f: 5, m: 5 });
    expect(s.get('c')).toEqual({ r: 3, f: 2, m: 3 });
    expect(s.get('d')).toEqual({ r: 2, f: 2, m: 2 });
    expect(s.get('e')).toEqual({ r: 1, f: 1, m: 1 });
    expect(s.get('n')).toBeNull();
  });
  it('stars: average monthly sales in points of ¥1,000, thresholds 1 / 5 / 20 / 50 / 100', () => {
    const perMonth = (yuan: number) => yuan * 100 * 12;
    expect(starLevel(cfg.stars, perMonth(999))).toBe(0);
    expect(starLevel(cfg.stars, perMonth(1000))).toBe(1);
    expect(starLevel(cfg.stars, perMonth(5000))).toBe(2);
    expect(starLevel(cfg.stars, perMonth(49_999))).toBe(3);
    expect(starLevel(cfg.stars, perMonth(100_000))).toBe(5);
  });
  it('lifecycle: churned at exactly N days, high value at the minimum score, potential only without orders', () => {
    const lc = cfg.lifecycle;
    expect(lifecycleTier(lc, { daysSinceOrder: 180 }, 99, null)).toBe('churned');
    expect(lifecycleTier(lc, { daysSinceOrder: 179 }, 60, null)).toBe('high_value');
    expect(lifecycleTier(lc, { daysSinceOrder: 179 }, 59.99, '考虑中')).toBe('ordinary');
    expect(lifecycleTier(lc, { daysSinceOrder: null }, 0, '考虑中')).toBe('potential');
    expect(lifecycleTier(lc, { daysSinceOrder: null }, 0, '已做')).toBe('ordinary');
  });
  it('churn warning: no order for exactly N days, or spend down exactly X %', () => {
    const c = cfg.churn;
    expect(churnWarning(c, { daysSinceOrder: 90, recentFen: 0, priorFen: 0 })).toEqual({
      reason: 'no_purchase',
      dropPct: null,
    });
    expect(churnWarning(c, { daysSinceOrder: 89, recentFen: 0, priorFen: 0 })).toBeNull();
    expect(churnWarning(c, { daysSinceOrder: 5, recentFen: 500, priorFen: 1000 })).toEqual({
      reason: 'spend_drop',
      dropPct: 50,
    });
    expect(churnWarning(c, { daysSinceOrder: 5, recentFen: 501, priorFen: 1000 })).toBeNull();
    expect(churnWarning(c, { daysSinceOrder: null, recentFen: 0, priorFen: 0 })).toBeNull();
  });
  it('round2 rounds half away from zero like Postgres numeric', () => {
    expect(round2(2.675)).toBe(2.68);
    expect(round2(1.005)).toBe(1.01);
    expect(round2(-1.005)).toBe(-1.01);
  });
});

describe('chunks of a recompute', () => {
  it('cut the uuid space into ⌈total / chunk⌉ ascending ranges from the zero uuid', () => {
    expect(chunkBounds(0)).toEqual([]);
    expect(chunkBounds(RUN_CHUNK_CUSTOMERS)).toEqual(['00000000-0000-0000-0000-000000000000']);
    const b = chunkBounds(2 * RUN_CHUNK_CUSTOMERS + 1);
    expect(b).toEqual([
      '00000000-0000-0000-0000-000000000000',
      '55555555-5555-5555-5555-555555555555',
      'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
    ]);
    const many = chunkBounds(1_000_000);
    expect(many).toHaveLength(20);
    expect([...many].sort()).toEqual(many);
    expect(new Set(many).size).toBe(20);
  });
});
