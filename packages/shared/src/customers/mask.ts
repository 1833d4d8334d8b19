/** Display masking of personal data (DESIGN §1): shown masked unless a user with pii:reveal reveals it. */

export function maskPhone(phone: string): string {
  const p = phone.trim();
  const m = p.match(/^(0\d{2,3})-?(\d{3,4})(\d{4})(?:-\d+)?$/);
  if (m) return `${m[1]}-****${m[3]}`;
  if (p.length >= 7) return `${p.slice(0, 3)}****${p.slice(-4)}`;
  return p.length > 2 ? `${p.slice(0, 1)}****` : '****';
}

export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length === 18) return `${s.slice(0, 6)}********${s.slice(-4)}`;
  return s.length > 4 ? `${s.slice(0, 2)}${'*'.repeat(s.length - 4)}${s.slice(-2)}` : '****';
}

export function maskAddress(address: string): string {
  const s = address.trim();
  const m = s.match(/^(.*?[省市].*?[区县市])/);
  const keep = m?.[1] && m[1].length < s.length ? m[1] : s.slice(0, Math.min(6, Math.max(0, s.length - 1)));
  return `${keep}****`;
}

export function maskEmail(email: string): string {
  const [user = '', domain] = email.trim().split('@');
  if (!domain) return '****';
  return `${user.slice(0, 2)}***@${domain}`;
}

export function maskName(name: string): string {
  const s = name.trim();
  if (s.length <= 1) return s;
  if (s.length === 2) return `${s[0]}*`;
  return `${s[0]}${'*'.repeat(s.length - 2)}${s[s.length - 1]}`;
}
