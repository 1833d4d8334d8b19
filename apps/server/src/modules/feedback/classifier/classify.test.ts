import { describe, expect, it } from 'vitest';
import { classifyText, classifyTexts } from './classify.ts';
import { holdoutSplit, parseCsv } from './corpus.ts';
import { lexiconScore } from './rules.ts';
import { segmentClauses } from './segment.ts';

describe('feedback classifier', () => {
  it('negation turns the sentiment: 好 vs 不好, 满意 vs 不满意', () => {
    expect(classifyText('好').sentiment).toBe('positive');
    expect(classifyText('不好').sentiment).toBe('negative');
    expect(classifyText('服务很好').sentiment).toBe('positive');
    expect(classifyText('服务不好').sentiment).toBe('negative');
    expect(classifyText('满意').sentiment).toBe('positive');
    expect(classifyText('不太满意').sentiment).toBe('negative');
  });

  it('不是很好 is negative, milder than 很不好 in the lexicon', () => {
    const notVery = classifyText('不是很好');
    expect(notVery.sentiment).toBe('negative');
    expect(notVery.keywords).toContain('不是很好');
    const mild = lexiconScore(segmentClauses('不是很好')).score;
    const strong = lexiconScore(segmentClauses('很不好')).score;
    expect(mild).toBeLessThan(0);
    expect(strong).toBeLessThan(mild);
  });

  it('contrast: 环境不错，但是服务太差 is a negative complaint about 服务态度', () => {
    const r = classifyText('环境不错，但是服务太差');
    expect(r).toMatchObject({ category: 'complaint', sentiment: 'negative' });
    expect(r.score).toBeLessThan(0);
    expect(r.topics).toContain('服务态度');
    expect(r.keywords.some((k) => k.includes('差'))).toBe(true);
    // The same words without the contrast word weigh the praise fully.
    expect(lexiconScore(segmentClauses('服务太差，环境不错')).score).toBeGreaterThan(
      lexiconScore(segmentClauses('环境不错，但是服务太差')).score,
    );
  });

  it('suggestion cues make a suggestion; an explicit 投诉 makes a complaint whatever the tone', () => {
    const s = classifyText('建议多开几个窗口');
    expect(s.category).toBe('suggestion');
    expect(s.keywords).toContain('建议');
    expect(classifyText('希望能增加周末的营业时间').category).toBe('suggestion');
    expect(classifyText('我要投诉这个柜员').category).toBe('complaint');
    // 投诉处理 names the complaint service: a wish about it is a suggestion.
    expect(classifyText('希望投诉处理能更及时').category).toBe('suggestion');
  });

  it('praise, complaint and topics', () => {
    const praise = classifyText('工作人员很耐心，态度热情，点赞');
    expect(praise).toMatchObject({ category: 'praise', sentiment: 'positive' });
    expect(praise.topics).toEqual(['服务态度']);
    const waiting = classifyText('排队等了一个小时，太慢了');
    expect(waiting).toMatchObject({ category: 'complaint', sentiment: 'negative' });
    expect(waiting.topics).toContain('等待时间');
    expect(classifyText('柜员把利息算错了').topics).toContain('业务差错');
    expect(classifyText('价格太贵了').topics).toContain('价格');
    expect(classifyText('快递三天才送到，包装也破了').topics).toContain('物流');
    expect(classifyText('大厅很脏，有异味').topics).toEqual(expect.arrayContaining(['环境', '卫生']));
    // A one-character keyword tags a topic only as a whole word: 等等 is not waiting.
    expect(classifyText('好的，等等再说').topics).not.toContain('等待时间');
  });

  it('a remark without sentiment is neutral; every score is within -1..1', () => {
    const r = classifyText('我今天去银行办理了业务');
    expect(r.sentiment).toBe('neutral');
    expect(classifyText('').sentiment).toBe('neutral');
    for (const t of ['好', '不好', '非常非常非常满意！！！', '太差太差太差了'])
      expect(Math.abs(classifyText(t).score)).toBeLessThanOrEqual(1);
  });

  it('is deterministic and keeps the order of the texts', () => {
    const texts = ['不好', '建议多开窗口', '很满意'];
    const a = classifyTexts(texts);
    expect(classifyTexts(texts)).toEqual(a);
    expect(a.map((x) => x.category)).toEqual(['complaint', 'suggestion', 'praise']);
    // keywords are words of the text
    for (const [i, r] of a.entries()) for (const k of r.keywords) expect(texts[i]).toContain(k);
  });
});

describe('corpus helpers', () => {
  it('parses quoted CSV fields with doubled quotes and newlines', () => {
    expect(parseCsv('label,review\n1,"a ""b"", c"\n0,"x\ny"\n')).toEqual([
      ['label', 'review'],
      ['1', 'a "b", c'],
      ['0', 'x\ny'],
    ]);
  });

  it('the held-out split is fixed by its seed and disjoint from the training side', () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const a = holdoutSplit(rows);
    expect(holdoutSplit(rows)).toEqual(a);
    expect(a.test).toHaveLength(20);
    expect(new Set([...a.test, ...a.train]).size).toBe(100);
    expect(holdoutSplit(rows, 1).test).not.toEqual(a.test);
  });
});
