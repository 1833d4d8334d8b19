import { describe, expect, it } from 'vitest';
import { maskAddress, maskEmail, maskIdNumber, maskName, maskPhone, splitAddressRegion } from './mask.ts';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['１３８１２３４５６７８', '138****5678'],
    ['021-55551234', '021-****1234'],
    ['02155551234', '021-****1234'],
    ['0571-8888999', '0571-****8999'],
    ['021-55551234-8001', '021-****1234'], // the extension is hidden entirely
    ['021-55551234转8001', '021-****1234'],
    ['+86 10 6555 1234', '010-****1234'],
  ])('%s → %s', (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });

  it('never shows a whole unparseable number', () => {
    expect(maskPhone('12812345678')).toBe('128****5678'); // invalid prefix, still 11 long
    expect(maskPhone('55551234')).toBe('****1234');
    expect(maskPhone('12345')).toBe('****45');
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('7')).toBe('****');
    for (const raw of ['55551234', '12345', '1234567']) expect(maskPhone(raw)).not.toContain(raw);
  });

  it('keeps empty empty', () => {
    expect(maskPhone('')).toBe('');
    expect(maskPhone('   ')).toBe('');
  });
});

describe('maskIdNumber', () => {
  it('keeps region code and last 4 of an 18-character ID', () => {
    expect(maskIdNumber('110101199001011234')).toBe('110101********1234');
    expect(maskIdNumber('11010119900101123X')).toBe('110101********123X');
    expect(maskIdNumber('11010119900101123x')).toBe('110101********123X');
    expect(maskIdNumber(' 110101199001011234 ')).toBe('110101********1234');
  });

  it('keeps first and last 2 of other lengths, hides short ones completely', () => {
    expect(maskIdNumber('110101900101123')).toBe('11***********23'); // old 15-digit ID
    expect(maskIdNumber('E12345678')).toBe('E1*****78'); // passport
    expect(maskIdNumber('1234567')).toBe('****');
    expect(maskIdNumber('12')).toBe('****');
    expect(maskIdNumber('')).toBe('');
  });
});

describe('maskAddress', () => {
  it.each([
    ['上海市浦东新区世纪大道100号', '上海市浦东新区****'],
    ['浙江省杭州市西湖区文三路478号华星时代广场A座', '浙江省杭州市西湖区****'],
    ['北京市朝阳区建国路88号', '北京市朝阳区****'],
    ['广东省深圳市南山区科技园南区', '广东省深圳市南山区****'],
    ['广西壮族自治区南宁市青秀区民族大道', '广西壮族自治区南宁市青秀区****'],
    ['新疆维吾尔自治区乌鲁木齐市天山区', '新疆维吾尔自治区乌鲁木齐市天山区****'],
    ['吉林省延边朝鲜族自治州延吉市人民路', '吉林省延边朝鲜族自治州延吉市****'],
    ['云南省大理白族自治州宾川县金牛镇', '云南省大理白族自治州宾川县****'],
    ['江苏省昆山市玉山镇珠江路1号', '江苏省昆山市****'], // county-level city, no district after it
    ['杭州市西湖区文三路100号', '杭州市西湖区****'],
    ['浙江杭州西湖区文三路100号', '浙江杭州西湖区****'],
    ['浦东新区张江路100弄5号', '浦东新区****'],
    ['重庆市渝中区解放碑', '重庆市渝中区****'],
  ])('%s → %s', (raw, masked) => {
    expect(maskAddress(raw)).toBe(masked);
  });

  it('does not mistake a residential compound or a street named after a province for a region', () => {
    expect(maskAddress('上海市阳光小区3栋201室')).toBe('上海市****');
    expect(maskAddress('四川北路1688号')).toBe('四川北路****'); // 8 characters: at most half
    expect(maskAddress('南京西路1266号恒隆广场')).toBe('南京西路12****');
  });

  it('keeps only the first 6 characters, at most half, without a region', () => {
    expect(maskAddress('中关村大街1号院2号楼')).toBe('中关村大街****');
    expect(maskAddress('中关村大街1号院2号楼东侧101室')).toBe('中关村大街1****');
    expect(maskAddress('文三路1号')).toBe('文三****');
    expect(maskAddress('A')).toBe('****');
    expect(maskAddress('')).toBe('');
  });
});

describe('splitAddressRegion', () => {
  it('names province, city and district', () => {
    expect(splitAddressRegion('浙江省杭州市西湖区文三路')).toEqual({
      province: '浙江',
      city: '杭州',
      prefix: '浙江省杭州市',
      district: '西湖区',
      body: '西湖区文三路',
    });
    expect(splitAddressRegion('上海市浦东新区')).toMatchObject({
      province: '上海',
      city: null,
      prefix: '上海市',
      district: '浦东新区',
    });
    expect(splitAddressRegion('浙江杭州市西湖区')).toMatchObject({
      province: '浙江',
      city: '杭州',
      prefix: '浙江杭州市',
    });
    expect(splitAddressRegion('文三路100号')).toEqual({
      province: null,
      city: null,
      prefix: '',
      district: null,
      body: '文三路100号',
    });
  });
});

describe('maskEmail', () => {
  it.each([
    ['zhangsan@example.com', 'zh***@example.com'],
    ['  Zhang.San@Example.com ', 'Zh***@Example.com'],
    ['abc@x.cn', 'a***@x.cn'],
    ['a@x.cn', '***@x.cn'],
    ['a@b@x.cn', 'a***@x.cn'],
  ])('%s → %s', (raw, masked) => {
    expect(maskEmail(raw)).toBe(masked);
  });

  it('hides malformed addresses completely', () => {
    expect(maskEmail('zhangsan')).toBe('****');
    expect(maskEmail('@example.com')).toBe('****');
    expect(maskEmail('zhangsan@')).toBe('****');
    expect(maskEmail('')).toBe('');
  });
});

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张小明', '张*明'],
    ['欧阳小明', '欧**明'],
    ['  李四  ', '李*'],
    ['阿卜杜·热合曼', '阿*****曼'],
    ['𠀾明', '𠀾*'], // a character outside the BMP counts as one
    ['王', '王'],
    ['', ''],
  ])('%s → %s', (raw, masked) => {
    expect(maskName(raw)).toBe(masked);
  });
});
