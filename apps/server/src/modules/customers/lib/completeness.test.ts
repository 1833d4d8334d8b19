import { describe, expect, it } from 'vitest';
import { completenessScore, isFieldPresent, isValidCustomer, type TCompletenessField } from './completeness.ts';

const full = {
  name: '张三',
  phones: ['13812345678'],
  email: 'zhangsan@example.com',
  address: '上海市浦东新区世纪大道100号',
  birthday: new Date('1990-01-01'),
  gender: 'male',
  ownerId: 'u1',
  tags: ['VIP'],
  score: 0,
  consentMarketing: false,
  custom: { car_model: '凯美瑞', mileage: 12000, bought_at: '2024-01-05', plan: null },
};

describe('isFieldPresent', () => {
  it('counts non-empty text, non-empty arrays, numbers including 0, valid dates and answered booleans', () => {
    for (const f of ['name', 'phones', 'birthday', 'score', 'consentMarketing', 'custom.car_model', 'custom.mileage'])
      expect(isFieldPresent(full, f)).toBe(true);
  });

  it('treats null, undefined, blank text, empty arrays, NaN and invalid dates as missing', () => {
    const c = { name: '   ', phones: [], email: null, score: Number.NaN, birthday: new Date('not a date'), meta: {} };
    for (const f of ['name', 'phones', 'email', 'score', 'birthday', 'meta', 'absent'])
      expect(isFieldPresent(c, f)).toBe(false);
  });

  it('reads custom fields under custom.<key>, and only there', () => {
    expect(isFieldPresent(full, 'custom.plan')).toBe(false); // null
    expect(isFieldPresent(full, 'custom.unknown')).toBe(false);
    expect(isFieldPresent({ car_model: 'x' }, 'custom.car_model')).toBe(false); // top level is not custom
    expect(isFieldPresent({ custom: null }, 'custom.car_model')).toBe(false);
    expect(isFieldPresent({}, 'custom.car_model')).toBe(false);
  });

  it('does not find inherited properties', () => {
    expect(isFieldPresent({}, 'constructor')).toBe(false);
    expect(isFieldPresent({ custom: {} }, 'custom.toString')).toBe(false);
  });
});

describe('completenessScore', () => {
  const fields: TCompletenessField[] = [
    { field: 'name', weight: 30 },
    { field: 'phones', weight: 30 },
    { field: 'email', weight: 10 },
    { field: 'address', weight: 10 },
    { field: 'custom.car_model', weight: 20 },
  ];

  it('is 100 with nothing missing', () => {
    expect(completenessScore(full, fields)).toEqual({ score: 100, missing: [] });
  });

  it('weights the present fields and lists the missing ones in order', () => {
    expect(completenessScore({ name: '张三', phones: ['13812345678'] }, fields)).toEqual({
      score: 60,
      missing: ['email', 'address', 'custom.car_model'],
    });
    expect(completenessScore({ email: 'a@b.cn', custom: { car_model: 'x' } }, fields)).toEqual({
      score: 30,
      missing: ['name', 'phones', 'address'],
    });
    expect(completenessScore({}, fields)).toEqual({
      score: 0,
      missing: ['name', 'phones', 'email', 'address', 'custom.car_model'],
    });
  });

  it('is an integer rounded down, and never 100 while a counted field is missing', () => {
    const three = [
      { field: 'a', weight: 1 },
      { field: 'b', weight: 1 },
      { field: 'c', weight: 1 },
    ];
    expect(completenessScore({ a: 1, b: 1 }, three).score).toBe(66);
    expect(
      completenessScore({ a: 'x' }, [
        { field: 'a', weight: 0.29 },
        { field: 'b', weight: 0.71 },
      ]).score,
    ).toBe(29); // 28.999… in floats
    expect(
      completenessScore({ a: 'x' }, [
        { field: 'a', weight: 9999 },
        { field: 'b', weight: 1 },
      ]),
    ).toEqual({ score: 99, missing: ['b'] });
  });

  it('ignores fields with zero, negative or non-finite weight', () => {
    const f = [
      { field: 'name', weight: 1 },
      { field: 'email', weight: 0 },
      { field: 'address', weight: -5 },
      { field: 'tags', weight: Number.NaN },
    ];
    expect(completenessScore({ name: '张三' }, f)).toEqual({ score: 100, missing: [] });
  });

  it('scores 100 when no field is counted', () => {
    expect(completenessScore({}, [])).toEqual({ score: 100, missing: [] });
  });
});

describe('isValidCustomer', () => {
  it('is valid when every required field is present', () => {
    expect(isValidCustomer(full, { required: ['name', 'phones', 'custom.car_model'] })).toEqual({
      valid: true,
      missing: [],
    });
  });

  it('lists each missing required field once', () => {
    expect(
      isValidCustomer({ name: '张三', phones: [] }, { required: ['name', 'phones', 'custom.car_model', 'phones'] }),
    ).toEqual({ valid: false, missing: ['phones', 'custom.car_model'] });
  });

  it('is valid with an empty rule', () => {
    expect(isValidCustomer({}, { required: [] })).toEqual({ valid: true, missing: [] });
  });
});
