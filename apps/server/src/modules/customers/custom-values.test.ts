import { describe, expect, it } from 'vitest';
import { checkCustomValues } from './custom-values.ts';

const defs = [
  { key: 'vip_level', label: '会员等级', type: 'option' as const, options: ['金卡', '银卡'], isRequired: true },
  { key: 'car_model', label: '车型', type: 'text' as const, options: [], isRequired: false },
  { key: 'mileage', label: '里程', type: 'number' as const, options: [], isRequired: false },
  { key: 'delivered_on', label: '交车日期', type: 'date' as const, options: [], isRequired: false },
];

describe('checkCustomValues', () => {
  it('accepts well-typed values and converts numbers given as text', () => {
    const r = checkCustomValues(
      defs,
      { vip_level: '金卡', mileage: '12000', delivered_on: '2026-05-01', car_model: ' 汉EV ' },
      { isCreate: true },
    );
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ vip_level: '金卡', mileage: 12000, delivered_on: '2026-05-01', car_model: '汉EV' });
  });
  it('names the field at fault for unknown keys, wrong types and options outside the list', () => {
    const r = checkCustomValues(
      defs,
      { vip_level: '钻石卡', mileage: 'abc', delivered_on: '2026/05/01', colour: 'red' },
      { isCreate: false },
    );
    expect(r.errors.map((e) => e.path).sort()).toEqual([
      'body.custom.colour',
      'body.custom.delivered_on',
      'body.custom.mileage',
      'body.custom.vip_level',
    ]);
  });
  it('requires required fields on create and refuses clearing them later', () => {
    expect(checkCustomValues(defs, {}, { isCreate: true }).errors).toEqual([
      { path: 'body.custom.vip_level', code: 'required', message: '会员等级 为必填项' },
    ]);
    expect(checkCustomValues(defs, { vip_level: null }, { isCreate: false }).errors).toHaveLength(1);
    expect(checkCustomValues(defs, { car_model: null }, { isCreate: false })).toEqual({
      values: { car_model: null },
      errors: [],
    });
  });
});
