import { describe, expect, it } from 'vitest';
import {
  addressSimilarity,
  findDuplicateGroups,
  normalizeAddress,
  normalizeCustomerName,
  type TDuplicateCandidate,
} from './duplicates.ts';

const c = (id: string, name: string, phones: string[] = [], address: string | null = null): TDuplicateCandidate => ({
  id,
  name,
  phones,
  address,
});

describe('normalizeCustomerName', () => {
  it('ignores spaces, width, case and middle dots', () => {
    expect(normalizeCustomerName(' 张 三 ')).toBe('张三');
    expect(normalizeCustomerName('张\u3000三')).toBe('张三');
    expect(normalizeCustomerName('ＺＨＡＮＧ San')).toBe('zhangsan');
    expect(normalizeCustomerName('阿卜杜·热合曼')).toBe(normalizeCustomerName('阿卜杜热合曼'));
  });
});

describe('normalizeAddress', () => {
  it('unifies 號, #, full-width characters and Chinese numerals of buildings and rooms', () => {
    expect(normalizeAddress('文三路１００號 三号楼 五〇一室')).toBe('文三路100号3号楼501室');
    expect(normalizeAddress('幸福里十二栋二单元一百零一室')).toBe('幸福里12栋2单元101室');
    expect(normalizeAddress('幸福里二十三幢')).toBe('幸福里23幢');
    expect(normalizeAddress('3#楼, A座-1201')).toBe('3号楼a座1201');
  });

  it('leaves numerals that are part of a place name', () => {
    expect(normalizeAddress('五一路')).toBe('五一路');
    expect(normalizeAddress('三里屯')).toBe('三里屯');
  });
});

describe('addressSimilarity', () => {
  it('is 1 for the same address written differently', () => {
    expect(addressSimilarity('上海市浦东新区张江路100号3号楼', '上海市 浦东新区 张江路100號 三号楼')).toBe(1);
    expect(addressSimilarity('浙江省杭州市西湖区文三路478号', '浙江杭州市西湖区文三路４７８号')).toBe(1);
  });

  it('strips a region prefix both share, or that only one names', () => {
    expect(addressSimilarity('浙江省杭州市西湖区文三路478号', '西湖区文三路478号')).toBe(1);
    expect(addressSimilarity('上海市浦东新区张江路100号', '浦东新区张江路100号')).toBe(1);
  });

  it('does not let a shared city prefix make different streets similar', () => {
    // Without stripping, the common 浙江省杭州市西湖区 would push this pair over 0.5.
    expect(addressSimilarity('浙江省杭州市西湖区文三路478号', '浙江省杭州市西湖区天目山路18号')).toBeLessThan(0.5);
  });

  it('is 0 for the same street in different cities', () => {
    expect(addressSimilarity('杭州市西湖区文三路1号', '苏州市西湖区文三路1号')).toBe(0);
    expect(addressSimilarity('浙江省湖州市人民路1号', '江苏省湖州市人民路1号')).toBe(0);
  });

  it('scores a small typo or a missing room high, another house number lower', () => {
    const a = '上海市浦东新区张江路100弄5号602室';
    expect(addressSimilarity(a, '上海市浦东新区张江路100弄5号')).toBeGreaterThanOrEqual(0.8);
    expect(addressSimilarity(a, '上海市浦东新区张江路100弄5号601室')).toBeGreaterThanOrEqual(0.8);
    expect(addressSimilarity(a, '上海市浦东新区碧波路690弄12号')).toBeLessThan(0.5);
  });

  it('is 0 when either side has no address beyond the region', () => {
    expect(addressSimilarity('上海市', '上海市')).toBe(0);
    expect(addressSimilarity('', '')).toBe(0);
  });
});

describe('findDuplicateGroups', () => {
  it('groups customers sharing a phone however it was typed', () => {
    const groups = findDuplicateGroups([
      c('a', '张三', ['13812345678']),
      c('b', '张叁', ['+86 138-1234-5678']),
      c('c', '李四', ['13900000001']),
      c('d', 'Zhang San', ['１３８ １２３４ ５６７８']),
    ]);
    expect(groups).toEqual([{ reason: 'same_phone', ids: ['a', 'b', 'd'], score: 1 }]);
  });

  it('tells landline extensions apart and ignores invalid phones', () => {
    const groups = findDuplicateGroups([
      c('a', '甲', ['021-55551234转801']),
      c('b', '乙', ['021-55551234-802']),
      c('c', '丙', ['(021)5555 1234 ext 801']),
      c('d', '丁', ['12345']),
      c('e', '戊', ['12345']),
      c('f', '己', ['']),
      c('g', '庚', ['']),
    ]);
    expect(groups).toEqual([{ reason: 'same_phone', ids: ['a', 'c'], score: 1 }]);
  });

  it('does not group a customer with itself when it lists one phone twice', () => {
    expect(findDuplicateGroups([c('a', '张三', ['13812345678', '138 1234 5678'])])).toEqual([]);
  });

  it('groups the same name with a similar address, with the similarity as score', () => {
    const groups = findDuplicateGroups([
      c('a', '王芳', [], '上海市浦东新区张江路100弄5号602室'),
      c('b', ' 王 芳', [], '浦东新区张江路100弄5号601室'),
      c('c', '王芳', [], '上海市浦东新区碧波路690弄12号'),
      c('d', '王方', [], '上海市浦东新区张江路100弄5号602室'), // other name
      c('e', '王芳', [], null),
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ reason: 'same_name_similar_address', ids: ['a', 'b'] });
    expect(groups[0]!.score).toBeGreaterThanOrEqual(0.8);
    expect(groups[0]!.score).toBeLessThan(1);
  });

  it('does not group the same name in different cities', () => {
    expect(
      findDuplicateGroups([c('a', '李娜', [], '杭州市西湖区文三路1号'), c('b', '李娜', [], '苏州市西湖区文三路1号')]),
    ).toEqual([]);
  });

  it('joins transitive matches into one group, reason same_phone and the weakest link as score', () => {
    const groups = findDuplicateGroups([
      c('a', '赵磊', ['13700000001'], '北京市朝阳区建国路88号1号楼'),
      c('x', '钱多多', ['13600000009']),
      c('b', '赵雷', ['137 0000 0001', '13500000002']), // a~b by phone
      c('c', '孙悦', ['+8613500000002']), // b~c by phone
      c('d', '赵磊', [], '朝阳区建国路88号一号楼'), // a~d by name + address
    ]);
    expect(groups).toEqual([{ reason: 'same_phone', ids: ['a', 'b', 'c', 'd'], score: 1 }]);

    const weaker = findDuplicateGroups([
      c('a', '赵磊', ['13700000001'], '北京市朝阳区建国路88号1号楼101室'),
      c('b', '赵雷', ['13700000001']),
      c('d', '赵磊', [], '北京市朝阳区建国路88号1号楼102室'),
    ]);
    expect(weaker).toHaveLength(1);
    expect(weaker[0]).toMatchObject({ reason: 'same_phone', ids: ['a', 'b', 'd'] });
    expect(weaker[0]!.score).toBeLessThan(1);
    expect(weaker[0]!.score).toBe(
      Math.round(addressSimilarity('北京市朝阳区建国路88号1号楼101室', '北京市朝阳区建国路88号1号楼102室') * 1000) /
        1000,
    );
  });

  it('chains name matches: a~b and b~c are one group even when a and c are not similar enough', () => {
    const a = '广州市天河区天河路385号太古汇一座1201室';
    const b = '广州市天河区天河路385号太古汇一座';
    const d = '广州市天河区天河路385号太古汇';
    expect(addressSimilarity(a, b)).toBeGreaterThanOrEqual(0.8);
    expect(addressSimilarity(b, d)).toBeGreaterThanOrEqual(0.8);
    expect(addressSimilarity(a, d)).toBeLessThan(0.8);
    const groups = findDuplicateGroups([c('1', '陈静', [], a), c('2', '陈静', [], b), c('3', '陈静', [], d)]);
    expect(groups).toEqual([expect.objectContaining({ reason: 'same_name_similar_address', ids: ['1', '2', '3'] })]);
  });

  it('honours a custom threshold and refuses a meaningless one', () => {
    const rows = [
      c('a', '周杰', [], '深圳市南山区科技园科苑路15号'),
      c('b', '周杰', [], '深圳市南山区科技园科苑路16号'),
    ];
    const s = addressSimilarity(rows[0]!.address!, rows[1]!.address!);
    expect(findDuplicateGroups(rows, { minAddressSimilarity: s })).toHaveLength(1);
    expect(findDuplicateGroups(rows, { minAddressSimilarity: s + 0.01 })).toHaveLength(0);
    expect(() => findDuplicateGroups(rows, { minAddressSimilarity: 0 })).toThrow(RangeError);
    expect(() => findDuplicateGroups(rows, { minAddressSimilarity: 1.5 })).toThrow(RangeError);
  });

  it('finds the same pairs as a brute-force comparison inside a big block of one name', () => {
    const rnd = mulberry32(7);
    const streets = ['张江路', '碧波路', '科苑路', '祖冲之路', '郭守敬路', '蔡伦路'];
    const rows: TDuplicateCandidate[] = [];
    for (let i = 0; i < 600; i++) {
      const addr = `上海市浦东新区${pick(rnd, streets)}${1 + Math.floor(rnd() * 30)}弄${1 + Math.floor(rnd() * 9)}号${rnd() < 0.5 ? `${1 + Math.floor(rnd() * 6)}0${1 + Math.floor(rnd() * 4)}室` : ''}`;
      rows.push(c(`r${i}`, '王先生', [], addr));
    }
    const expected = bruteForceGroups(rows, 0.8);
    const got = findDuplicateGroups(rows).map((g) => g.ids.join(','));
    expect(got.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(5); // the sample really has groups
  });

  // Correctness at scale only: wall time on the shared 2-core machine is not a test (speed belongs in bench/).
  it('finds every planted duplicate among 200,000 customers', () => {
    const rnd = mulberry32(42);
    const surnames = [
      ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈',
    ];
    const given = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红'];
    const cities = [
      '上海市浦东新区',
      '上海市徐汇区',
      '浙江省杭州市西湖区',
      '北京市朝阳区',
      '广东省深圳市南山区',
      '江苏省南京市鼓楼区',
    ];
    const roads = ['人民路', '解放路', '中山路', '建设路', '和平路', '新华路', '文化路', '胜利路', '青年路', '学院路'];
    const n = 200_000;
    const rows: TDuplicateCandidate[] = [];
    for (let i = 0; i < n; i++) {
      const name = `${pick(rnd, surnames)}${pick(rnd, given)}${rnd() < 0.5 ? pick(rnd, given) : ''}`;
      const address = `${pick(rnd, cities)}${pick(rnd, roads)}${1 + Math.floor(rnd() * 999)}号${1 + Math.floor(rnd() * 30)}栋${1 + Math.floor(rnd() * 30)}0${1 + Math.floor(rnd() * 4)}室`;
      rows.push(
        c(`c${i}`, name, [`1${3 + Math.floor(rnd() * 7)}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`], address),
      );
    }
    // Planted duplicates: 500 re-entries by phone (typed differently), 500 by name + same address written differently.
    for (let k = 0; k < 500; k++) {
      const src = rows[k * 300]!;
      rows.push(c(`p${k}`, '某某', [src.phones[0]!.replace(/^(\d{3})(\d{4})(\d{4})$/, '+86 $1-$2-$3')], null));
      const srcN = rows[k * 300 + 1]!;
      rows.push(c(`n${k}`, ` ${srcN.name} `, [], srcN.address!.replace(/号/g, '號').replace(/^(..)(.)/, '$1 $2')));
    }
    const groups = findDuplicateGroups(rows);
    const groupOf = new Map(groups.flatMap((g) => g.ids.map((id) => [id, g] as const)));
    for (let k = 0; k < 500; k++) {
      expect(groupOf.get(`p${k}`)?.ids).toContain(`c${k * 300}`);
      expect(groupOf.get(`n${k}`)?.ids).toContain(`c${k * 300 + 1}`);
    }
  }, 60_000);
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** Connected components of the all-pairs "similarity ≥ t" graph, as sorted id lists joined by commas. */
function bruteForceGroups(rows: TDuplicateCandidate[], t: number): string[] {
  const parent = rows.map((_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      if (addressSimilarity(rows[i]!.address!, rows[j]!.address!) >= t) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, string[]>();
  rows.forEach((r, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), r.id]));
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.join(','));
}
