import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZCreateCustomerInput } from './schemas/customers.ts';
import { validationDetail, validationText } from './validation.ts';

const firstIssue = (schema: z.ZodType, v: unknown) => {
  const r = schema.safeParse(v);
  if (r.success) throw new Error('expected a failure');
  return r.error.issues[0]!;
};
const say = (schema: z.ZodType, v: unknown, label: string, lang: 'zh' | 'en') => {
  const issue = firstIssue(schema, v);
  return validationText({ ...validationDetail(issue, v), message: issue.message }, label, lang);
};

describe('validation sentences', () => {
  it('a missing, empty or blank value is "required", in both languages, naming the field', () => {
    const name = ZCreateCustomerInput.shape.name;
    for (const v of [undefined, null, '', '   ']) {
      expect(say(name, v, '姓名', 'zh')).toBe('姓名不能为空');
      expect(say(name, v, 'Name', 'en')).toBe('Name is required');
    }
    expect(say(z.array(z.string()).min(1), [], '渠道', 'zh')).toBe('渠道不能为空');
  });

  it('bounds, formats, enums and types become sentences with their params', () => {
    expect(say(z.string().max(5), 'abcdef', '备注', 'zh')).toBe('备注最多 5 个字符');
    expect(say(z.string().min(8), 'abc', 'Password', 'en')).toBe('Password needs at least 8 characters');
    expect(say(z.number().int().min(0).max(23), 24, 'Hour', 'en')).toBe('Hour must be at most 23');
    expect(say(z.number().positive(), 0, '金额', 'zh')).toBe('金额须大于 0');
    expect(say(z.email(), 'x@', '邮箱', 'zh')).toBe('邮箱须为有效的邮箱地址');
    expect(say(z.enum(['a', 'b']), 'c', 'Kind', 'en')).toBe('Kind must be one of: a, b');
    expect(say(z.number(), 'x', '天数', 'zh')).toBe('天数须为数字');
  });

  it('a keyed custom rule is translated; a Chinese rule sentence is kept in Chinese and never shown in English', () => {
    const phone = ZCreateCustomerInput.shape.phones;
    expect(say(phone, ['12345'], '电话', 'zh')).toBe('电话须为有效的手机号或带区号的座机号');
    expect(say(phone, ['12345'], 'Phones', 'en')).toBe(
      'Phones must be a valid mobile number or a landline with its area code',
    );
    const rule = z.string().refine(() => false, '请选择负责人');
    expect(say(rule, 'x', '负责人', 'zh')).toBe('请选择负责人');
    expect(say(rule, 'x', 'Assignee', 'en')).toBe('Assignee is not valid');
  });

  it('never lets Zod’s own English through', () => {
    const shape = ZCreateCustomerInput.shape;
    for (const [schema, v] of [
      [shape.name, undefined],
      [shape.unitId, undefined],
      [shape.birthday, 'x'],
      [shape.tags, 'x'],
    ] as const) {
      expect(say(schema, v, '字段', 'zh')).not.toMatch(/Invalid|expected|received/);
    }
  });
});
