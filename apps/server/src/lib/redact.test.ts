import { describe, expect, it } from 'vitest';
import { redactPii, redactPiiText } from './redact.ts';

describe('redactPiiText', () => {
  it('masks phones, ID numbers and e-mail in free text', () => {
    expect(redactPiiText('q=13528528043 021-55551234 110101199001011234 zhangsan@example.com')).toBe(
      'q=135****8043 021-****1234 110101********1234 zh***@example.com',
    );
  });

  it('leaves UUIDs whole, even when a group of their digits looks like a landline', () => {
    // 0981-4472-9791 alone is a landline (area 0981); inside an id it is not personal data.
    const id = '3ac3d391-0981-4472-9791-65eda1705083';
    expect(redactPiiText('0981-4472-9791')).toBe('0981-****9791');
    expect(redactPiiText(id)).toBe(id);
    expect(redactPii({ id, note: `${id} 13528528043` })).toEqual({ id, note: `${id} 135****8043` });
  });
});
