import { describe, expect, it } from 'vitest';
import { newDeviceToken, newPairingCode, normalizeCode, sha256, tokenFrom } from './kiosk-devices.ts';

describe('kiosk tokens and codes', () => {
  it('device tokens carry 256 random bits and differ', () => {
    const a = newDeviceToken();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(newDeviceToken());
    expect(sha256(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pairing codes are 8 characters without look-alikes, and typing is forgiving', () => {
    for (let i = 0; i < 200; i++) expect(newPairingCode()).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(normalizeCode(' demo-ljz1 ')).toBe('DEMOLJZ1');
  });

  it('takes the token from a Bearer header before the cookie', () => {
    expect(tokenFrom({ authorization: 'Bearer abc' }, { hf_kiosk: 'def' })).toBe('abc');
    expect(tokenFrom({}, { hf_kiosk: 'def' })).toBe('def');
    expect(tokenFrom({ authorization: 'Basic x' }, {})).toBeNull();
  });
});
